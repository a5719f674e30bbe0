"""`Authorization: Bearer <key>` for operator systems."""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from apps.accounts.models import User

from .access_cache import access_cache
from .keys import ParsedKey, parse_key, secret_matches
from .models import ApiKey

# Write last use at most this often per key, not on every call.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def request_api_key(request: Request) -> ApiKey:
    """The key the request was authenticated with; the operator API's views require one."""
    key = request.auth
    if not isinstance(key, ApiKey):
        raise exceptions.NotAuthenticated
    return key


class ApiKeyAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[User, ApiKey] | None:
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header:
            return None
        keyword, _sep, raw = header.partition(" ")
        if keyword != self.keyword or not raw.strip():
            raise exceptions.AuthenticationFailed(
                _("Send the key as “Authorization: Bearer <key>”.")
            )
        return self._check(raw.strip())

    def _check(self, raw: str) -> tuple[User, ApiKey]:
        parsed = parse_key(raw)
        key = self._find(parsed) if parsed else None
        if key is None or parsed is None or not secret_matches(parsed.secret, key.secret_hash):
            raise exceptions.AuthenticationFailed(_("The API key is not valid."))
        if key.revoked_at is not None:
            raise exceptions.AuthenticationFailed(_("The API key has been revoked."))
        if key.expires_at is not None and key.expires_at <= timezone.now():
            raise exceptions.AuthenticationFailed(_("The API key has expired."))
        if not key.created_by.is_active or key.created_by.operator_id != key.operator_id:
            raise exceptions.AuthenticationFailed(_("The API key's owner is no longer active."))
        self._touch(key)
        return key.created_by, key

    def _find(self, parsed: ParsedKey) -> ApiKey | None:
        """The key row for the prefix; a valid one found before is reused until a change to
        keys, their limits or their owners is announced (access_cache). The secret, revocation,
        expiry and owner are checked by the caller on every call either way."""
        return access_cache.fetch(("key", parsed.prefix), lambda: self._load(parsed))

    def _load(self, parsed: ParsedKey) -> ApiKey | None:
        return (
            ApiKey.objects.select_related("operator__group", "created_by")
            .filter(prefix=parsed.prefix)
            .first()
        )

    def _touch(self, key: ApiKey) -> None:
        now = timezone.now()
        if key.last_used_at is None or now - key.last_used_at > LAST_USED_RESOLUTION:
            ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
            key.last_used_at = now  # a cached key must not write again on every call

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'
