"""Key figures of the home page (published entries, providing departments, authorizations in
force, API calls of the last 30 days). Each comes from the app that owns the data, registered in
its ``AppConfig.ready``; the figures are cached a few minutes, since counting the API calls of a
month reads a large table and the figures need not be exact to the second."""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.cache import cache
from django.utils.functional import Promise

FIGURES_CACHE_KEY = "home-figures:v1"
FIGURES_CACHE_SECONDS = 5 * 60


@dataclass(frozen=True)
class KeyFigure:
    key: str
    label: "str | Promise"
    count: Callable[[], int]
    order: int = 100


_figures: dict[str, KeyFigure] = {}


def key_figure_register(figure: KeyFigure) -> None:
    _figures[figure.key] = figure


def key_figures() -> list[tuple["str | Promise", int]]:
    figures = sorted(_figures.values(), key=lambda figure: (figure.order, figure.key))
    counts = cache.get(FIGURES_CACHE_KEY)
    if not isinstance(counts, dict) or set(counts) != {figure.key for figure in figures}:
        counts = {figure.key: figure.count() for figure in figures}
        cache.set(FIGURES_CACHE_KEY, counts, FIGURES_CACHE_SECONDS)
    return [(figure.label, counts[figure.key]) for figure in figures]
