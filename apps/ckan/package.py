"""Catalog entries, departments and sectors in CKAN's shapes (package, organization, group).

The mapping (README, "CKAN-compatible catalog API", and the page at /api/ckan/):
an entry is a package, its providing department the package's organization, its sector a group,
its keywords the tags. Departments and sectors have no UUID of their own: their CKAN ``id`` is a
name-based UUID (uuid5) of the department's primary key or the sector's value, so it never
changes while the row exists.
"""

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _

from apps.catalog.choices import Openness, Sector
from apps.catalog.models import CatalogEntry
from apps.organisations.models import Department

# The namespace of the portal's name-based UUIDs (a uuid4 drawn once; never change it).
ID_NAMESPACE = uuid.UUID("6f0b6c2e-4b53-4a8e-9c55-0d0c3f1e7a42")

# CKAN's own license ids: the portal declares no licence of its own, so open entries are
# "other-open" and the rest "other-closed", as CKAN's default licence list names them.
LICENSES = {
    Openness.OPEN: ("other-open", "Other (Open)"),
    Openness.CONDITIONAL: ("other-closed", "Other (Not Open)"),
    Openness.NOT_OPEN: ("other-closed", "Other (Not Open)"),
}
# Download formats of an open entry with live data (apps.opendata): format, URL name.
DOWNLOADS = {
    "CSV": "opendata:download-csv",
    "XLSX": "opendata:download-xlsx",
    "JSON Lines": "opendata:download-jsonl",
}


def department_uuid(department_id: int) -> str:
    return str(uuid.uuid5(ID_NAMESPACE, f"department:{department_id}"))


def sector_uuid(sector: str) -> str:
    return str(uuid.uuid5(ID_NAMESPACE, f"sector:{sector}"))


def department_name(department: Department) -> str:
    return department.code.lower()


def iso(moment: datetime | None) -> str | None:
    """CKAN's timestamps: ISO 8601 in UTC without an offset (what its clients parse)."""
    if moment is None:
        return None
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat()


def _day(value: date | None) -> str:
    return value.isoformat() if value else ""


@dataclass(frozen=True)
class Site:
    """Absolute URLs of the portal, from the request that asks."""

    base_url: str  # scheme and host, no final slash

    def url(self, name: str, *args: str) -> str:
        return self.base_url + reverse(name, args=args)


def organization_dict(
    department: Department, *, package_count: int | None = None
) -> dict[str, Any]:
    result: dict[str, Any] = {
        "id": department_uuid(department.pk),
        "name": department_name(department),
        "title": department.name,
        "display_name": department.name,
        "description": "",
        "image_url": "",
        "type": "organization",
        "is_organization": True,
        "state": "active" if department.is_active else "deleted",
        "approval_status": "approved",
    }
    if package_count is not None:
        result["package_count"] = package_count
    return result


def group_dict(sector: str, *, package_count: int | None = None) -> dict[str, Any]:
    title = str(Sector(sector).label)
    result: dict[str, Any] = {
        "id": sector_uuid(sector),
        "name": sector,
        "title": title,
        "display_name": title,
        "description": "",
        "image_url": "",
        "type": "group",
        "is_organization": False,
        "state": "active",
        "approval_status": "approved",
    }
    if package_count is not None:
        result["package_count"] = package_count
    return result


def _resource(
    entry: CatalogEntry, *, position: int, name: str, url: str, fmt: str, description: str
) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid5(entry.uuid, f"resource:{fmt or 'application'}")),
        "package_id": str(entry.uuid),
        "name": name,
        "description": description,
        "url": url,
        "format": fmt,
        "mimetype": None,
        "position": position,
        "state": "active",
        "created": iso(entry.published_at),
        "last_modified": iso(entry.updated_at),
        "url_type": None,
    }


def _resources(entry: CatalogEntry, formats: list[str], site: Site) -> list[dict[str, Any]]:
    """Open entries: one resource per download format; conditional ones: the application page."""
    if formats:
        return [
            _resource(
                entry,
                position=position,
                name=f"{entry.title} ({fmt})",
                url=site.url(DOWNLOADS[fmt], entry.identifier),
                fmt=fmt,
                description=_("Download of the live data version, no account needed."),
            )
            for position, fmt in enumerate(formats)
        ]
    if entry.openness == Openness.CONDITIONAL:
        page = site.url("operator_authorizations:application-create")
        url = f"{page}?{urlencode({'entry': entry.identifier})}"
        description = _(
            "Provided to qualified operators under an authorization; apply on the portal."
        )
        return [
            _resource(
                entry,
                position=0,
                name=_("Application for an authorization"),
                url=url,
                fmt="",
                description=description,
            )
        ]
    return []


def _extras(entry: CatalogEntry, site: Site) -> list[dict[str, str]]:
    values = {
        "grade": entry.grade,
        "openness": entry.openness,
        "update_frequency": entry.update_frequency,
        "spatial_coverage": entry.spatial_coverage,
        "temporal_start": _day(entry.temporal_start),
        "temporal_end": _day(entry.temporal_end),
        # The dataset's URI in the DCAT export (ckanext-dcat's "uri" extra).
        "uri": site.url("catalog:detail", entry.identifier).removesuffix("/"),
    }
    return [{"key": key, "value": value} for key, value in values.items()]


def package_dict(entry: CatalogEntry, *, formats: list[str], site: Site) -> dict[str, Any]:
    """``entry`` has its department loaded; ``formats`` are its download formats (open data)."""
    license_id, license_title = LICENSES[Openness(entry.openness)]
    organization = organization_dict(entry.department)
    tags = [
        {"id": str(uuid.uuid5(ID_NAMESPACE, f"tag:{keyword}")), "name": keyword,
         "display_name": keyword, "state": "active", "vocabulary_id": None}
        for keyword in entry.keywords
    ]  # fmt: skip
    resources = _resources(entry, formats, site)
    return {
        "id": str(entry.uuid),
        "name": entry.identifier.lower(),
        "title": entry.title,
        "notes": entry.description,
        "url": site.url("catalog:detail", entry.identifier),
        "author": entry.department.name,
        "author_email": None,
        "maintainer": entry.contact_name,
        "maintainer_email": entry.contact_email or None,
        "organization": organization,
        "owner_org": organization["id"],
        "groups": [group_dict(entry.sector)],
        "tags": tags,
        "num_tags": len(tags),
        "metadata_created": iso(entry.created_at),
        "metadata_modified": iso(entry.updated_at),
        "license_id": license_id,
        "license_title": license_title,
        "extras": _extras(entry, site),
        "resources": resources,
        "num_resources": len(resources),
        "private": False,
        "state": "active",
        "type": "dataset",
        "isopen": entry.openness == Openness.OPEN,
        "version": None,
    }
