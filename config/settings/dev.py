"""Development profile: the quick start (SQLite, DEBUG on unless the environment says otherwise)."""

from config.env import env_bool

from .base import *  # noqa: F403

DEBUG = env_bool("DEBUG", True)
