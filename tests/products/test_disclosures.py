"""The annual disclosure: due by 31 March of the next year, published once the year is over with
content that never changes, public pages and downloads equal to each other, the work queues."""

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from apps.core.errors import IllegalTransition, NotAllowed
from apps.core.queues import work_queue_kind
from apps.products import services
from apps.products.models import AnnualDisclosure

from .conftest import set_cap, set_price

LAST_YEAR = timezone.localdate().year - 1


def test_a_disclosure_is_due_by_the_end_of_march_of_the_next_year():
    assert services.disclosure_due_on(2025) == date(2026, 3, 31)
    assert services.disclosure_due_on(2027) == date(2028, 3, 31)


def test_the_operator_prepares_and_publishes_its_own(offered, approver, operator_member, rival):
    set_cap(offered, approver, "1.00")
    set_price(offered, operator_member, "0.80")
    disclosure = services.disclosure_prepare(
        year=LAST_YEAR, operator=offered.operator, actor=operator_member
    )
    assert (disclosure.status, disclosure.due_on) == ("draft", date(LAST_YEAR + 1, 3, 31))
    with pytest.raises(NotAllowed):
        services.disclosure_publish(disclosure=disclosure, actor=rival[1])
    published = services.disclosure_publish(disclosure=disclosure, actor=operator_member)
    assert published.status == "published"
    assert published.content["operator"]["credit_code"] == offered.operator.credit_code
    assert published.content["resources"][0]["id"] == offered.authorizations.get().pk
    with pytest.raises(IllegalTransition):
        services.disclosure_publish(disclosure=published, actor=operator_member)


def test_a_year_is_disclosed_once_it_is_over(operator, operator_member):
    this_year = services.disclosure_prepare(
        year=LAST_YEAR + 1, operator=operator, actor=operator_member
    )
    with pytest.raises(ValidationError):
        services.disclosure_publish(disclosure=this_year, actor=operator_member)
    with pytest.raises(ValidationError):
        services.disclosure_prepare(year=LAST_YEAR + 2, operator=operator, actor=operator_member)


def test_only_approvers_publish_the_bureaus(reviewer, approver, db):
    with pytest.raises(NotAllowed):
        services.disclosure_prepare(year=LAST_YEAR, operator=None, actor=reviewer)
    disclosure = services.disclosure_prepare(year=LAST_YEAR, operator=None, actor=approver)
    assert (
        "cap_prices" in services.disclosure_publish(disclosure=disclosure, actor=approver).content
    )


def test_the_published_content_never_changes(offered, approver, operator_member):
    disclosure = services.disclosure_prepare(year=LAST_YEAR, operator=None, actor=approver)
    published = services.disclosure_publish(disclosure=disclosure, actor=approver)
    before = published.content
    set_cap(offered, approver, "3.00")
    published.refresh_from_db()
    assert published.content == before


def test_the_public_page_and_its_download_say_the_same(
    client, authorization, operator_member, approver
):
    operator = authorization.operator
    draft = services.disclosure_prepare(year=LAST_YEAR, operator=operator, actor=operator_member)
    page = client.get(reverse("products:disclosure-year", args=[LAST_YEAR]))
    assert page.status_code == 200 and not page.context["disclosures"]  # drafts are not public
    published = services.disclosure_publish(disclosure=draft, actor=operator_member)
    page = client.get(reverse("products:disclosure-year", args=[LAST_YEAR]))
    assert page.context["disclosures"] == [published]
    response = client.get(reverse("products:disclosure-csv", args=[LAST_YEAR, published.pk]))
    rows = list(csv.reader(io.StringIO(b"".join(
        response.streaming_content if response.streaming else [response.content]
    ).decode("utf-8-sig"))))  # fmt: skip
    ids = {f"#{row['id']}" for row in published.content["resources"]}
    assert ids and all(identifier in page.content.decode() for identifier in ids)
    assert {f"#{row[0]}" for row in rows if row and row[0].isdigit()} == ids


def test_a_draft_cannot_be_downloaded(client, operator, operator_member):
    draft = services.disclosure_prepare(year=LAST_YEAR, operator=operator, actor=operator_member)
    assert (
        client.get(reverse("products:disclosure-csv", args=[LAST_YEAR, draft.pk])).status_code
        == 404
    )


def test_what_is_overdue_shows_in_the_queues(operator, operator_member, approver):
    overdue = services.disclosure_prepare(
        year=LAST_YEAR - 1, operator=operator, actor=operator_member
    )
    queue = work_queue_kind("products_operator_disclosures_due").read(operator_member)
    assert (queue.count, queue.overdue) == (1, 1)
    assert queue.items[0].overdue and queue.items[0].when == overdue.due_on
    services.disclosure_publish(disclosure=overdue, actor=operator_member)
    assert work_queue_kind("products_operator_disclosures_due").read(operator_member).count == 0


def test_a_disclosure_due_later_than_30_days_is_not_listed_yet(operator, approver):
    AnnualDisclosure.objects.create(
        year=LAST_YEAR, operator=None, due_on=timezone.localdate() + timedelta(days=31)
    )
    assert work_queue_kind("products_bureau_disclosures_due").read(approver).count == 0
    AnnualDisclosure.objects.create(
        year=LAST_YEAR - 1, operator=None, due_on=timezone.localdate() + timedelta(days=30)
    )
    assert work_queue_kind("products_bureau_disclosures_due").read(approver).count == 1


def test_the_command_opens_the_year_for_the_bureau_and_each_operator(authorization):
    call_command("open_disclosures", str(LAST_YEAR))
    call_command("open_disclosures", str(LAST_YEAR))  # again: nothing new
    assert set(AnnualDisclosure.objects.values_list("operator_id", flat=True)) == {
        None, authorization.operator_id,
    }  # fmt: skip


def test_the_operator_publishes_from_its_page(client, authorization, operator_member):
    client.force_login(operator_member)
    response = client.post(reverse("operator_products:disclosure-prepare"), {"year": LAST_YEAR})
    disclosure = AnnualDisclosure.objects.get()
    assert response["Location"] == reverse("operator_products:disclosure", args=[disclosure.pk])
    client.post(response["Location"], {"statement": "本年度无变更。"})
    disclosure.refresh_from_db()
    assert (disclosure.status, disclosure.statement) == ("published", "本年度无变更。")
    assert Decimal(disclosure.content["business"]["revenue"]) == Decimal("0")


def test_years_read_as_years_not_as_grouped_numbers(client, operator, operator_member, settings):
    """With thousands grouped everywhere, a year must still read 2025, never 2,025."""
    assert settings.USE_THOUSAND_SEPARATOR
    services.disclosure_prepare(year=LAST_YEAR, operator=operator, actor=operator_member)
    grouped = f"{LAST_YEAR // 1000},{LAST_YEAR % 1000:03d}"
    page = client.get(reverse("products:disclosure-year", args=[LAST_YEAR])).content.decode()
    assert f"<title>{LAST_YEAR}" in page or f"{LAST_YEAR} 年度" in page
    assert grouped not in page
    client.force_login(operator_member)
    for name in ("operator_products:disclosures", "operator_products:ceilings"):
        assert grouped not in client.get(reverse(name)).content.decode()
