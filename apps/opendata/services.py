"""Writes of the open data: the record of each download and open API call."""

from django.db import connection
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import salted_hmac

from apps.api.services import metering_execute
from apps.audit.ip import client_ip

from .models import OpenDataUse, OpenDownloadSize

ADDRESS_SALT = "apps.opendata.address"
USE_COLUMNS = ("entry_id", "version_id", "format", "rows", "address_hash", "used_at")


def address_hash(request: HttpRequest) -> str:
    """The caller's address as a keyed hash (keyed by SECRET_KEY): repeated callers can be told
    apart, the address itself is never stored."""
    address = client_ip(request) or "unknown"
    return salted_hmac(ADDRESS_SALT, address, algorithm="sha256").hexdigest()


def open_data_use_record(
    *, entry_id: int, version_id: int | None, format: str, rows: int, address: str
) -> None:
    """One INSERT written as the operator API's usage records are (api.metering_execute: no
    wait for the WAL flush, one round trip): counting a call costs it next to nothing."""
    quote = connection.ops.quote_name
    columns = ", ".join(quote(name) for name in USE_COLUMNS)
    statement = (
        f"INSERT INTO {quote(OpenDataUse._meta.db_table)} ({columns}) "  # noqa: S608 - our table
        f"VALUES ({', '.join(['%s'] * len(USE_COLUMNS))})"
    )
    used_at = connection.ops.adapt_datetimefield_value(timezone.now())
    metering_execute(statement, [entry_id, version_id, format, rows, address, used_at])


def open_download_size_record(*, version_id: int, format: str, size: int) -> None:
    """Keep the size of a whole download of the version (DCAT's byteSize); the first one
    recorded stays (every complete download of a version has the same bytes)."""
    size_of = OpenDownloadSize(version_id=version_id, format=format, bytes=size)
    OpenDownloadSize.objects.bulk_create([size_of], ignore_conflicts=True)
