"""Writes of the open data: the record of each download and open API call."""

from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import salted_hmac

from apps.audit.ip import client_ip

from .models import OpenDataUse

ADDRESS_SALT = "apps.opendata.address"


def address_hash(request: HttpRequest) -> str:
    """The caller's address as a keyed hash (keyed by SECRET_KEY): repeated callers can be told
    apart, the address itself is never stored."""
    address = client_ip(request) or "unknown"
    return salted_hmac(ADDRESS_SALT, address, algorithm="sha256").hexdigest()


def open_data_use_record(
    *, entry_id: int, version_id: int | None, format: str, rows: int, address: str
) -> OpenDataUse:
    return OpenDataUse.objects.create(
        entry_id=entry_id, version_id=version_id, format=format, rows=rows,
        address_hash=address, used_at=timezone.now(),
    )  # fmt: skip
