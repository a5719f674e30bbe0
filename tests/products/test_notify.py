"""Products tell: the operator each decision on its products and its maximum allowed revenue,
the bureau what waits for review, check or approval (never the one who checked it), and the
operator and the bureau an annual disclosure falling due. Nobody else hears anything."""

from datetime import timedelta

from django.core.management import call_command
from django.utils import timezone

from apps.authorizations import services as authorization_services
from apps.notifications.kinds import Kind
from apps.notifications.models import Notification
from apps.products import services
from apps.products.models import AnnualDisclosure

from .conftest import review
from .test_ceilings import propose


def told(kind: str) -> set[str]:
    return set(Notification.objects.filter(kind=kind).values_list("recipient__username", flat=True))


def test_a_new_product_reaches_the_reviewers_not_the_auditor_nor_other_operators(
    product, reviewer, auditor, rival, operator_member
):
    heard = told(Kind.PRODUCT_SUBMITTED)
    assert reviewer.username in heard
    assert auditor.username not in heard and operator_member.username not in heard
    [notification] = Notification.objects.filter(kind=Kind.PRODUCT_SUBMITTED, recipient=reviewer)
    assert notification.params["name"] == product.name


def test_the_operator_hears_its_product_offered_and_a_rival_does_not(
    product, reviewer, operator_member, rival
):
    review(product, reviewer, "security")
    assert told(Kind.PRODUCT_OFFERED) == set()  # one review is not enough
    review(product, reviewer, "compliance")
    assert operator_member.username in told(Kind.PRODUCT_OFFERED)
    _other, rival_member = rival
    assert rival_member.username not in told(Kind.PRODUCT_OFFERED)


def test_a_refusal_tells_the_reason(product, reviewer, operator_member):
    review(product, reviewer, "security", outcome="failed")
    [notification] = Notification.objects.filter(kind=Kind.PRODUCT_REFUSED)
    assert notification.recipient == operator_member
    assert notification.params["reason"]


def test_a_product_withdrawn_with_its_authorization_is_announced(
    offered, approver, operator_member
):
    authorization_services.authorization_suspend(
        authorization=offered.authorizations.get(), actor=approver, reason="安全检查"
    )
    [notification] = Notification.objects.filter(kind=Kind.PRODUCT_WITHDRAWN)
    assert notification.recipient == operator_member
    assert f"#{offered.authorizations.get().pk}" in notification.params["reason"]


def test_the_ceiling_goes_to_checkers_then_to_another_approver_then_back_to_the_operator(
    operator, operator_member, reviewer, approver
):
    ceiling = propose(operator, operator_member)
    assert reviewer.username in told(Kind.CEILING_TO_CHECK)
    assert operator_member.username not in told(Kind.CEILING_TO_CHECK)
    services.ceiling_check(ceiling=ceiling, actor=reviewer)
    heard = told(Kind.CEILING_TO_APPROVE)
    assert approver.username in heard and reviewer.username not in heard
    services.ceiling_approve(ceiling=ceiling, actor=approver)
    [approved] = Notification.objects.filter(kind=Kind.CEILING_APPROVED)
    assert approved.recipient == operator_member
    assert approved.params["maximum"] == "1,135,000.00"


def test_a_returned_ceiling_tells_the_operator_why(operator, operator_member, reviewer):
    ceiling = propose(operator, operator_member)
    services.ceiling_return(ceiling=ceiling, actor=reviewer, reason="人工成本无依据")
    [returned] = Notification.objects.filter(kind=Kind.CEILING_RETURNED)
    assert (returned.recipient, returned.params["reason"]) == (operator_member, "人工成本无依据")


def test_disclosures_due_are_announced_at_30_and_7_days_once_each(
    operator, operator_member, approver, reviewer, rival
):
    _other, rival_member = rival
    today = timezone.localdate()
    AnnualDisclosure.objects.create(year=2001, operator=operator, due_on=today + timedelta(days=20))
    AnnualDisclosure.objects.create(year=2001, operator=None, due_on=today + timedelta(days=20))
    AnnualDisclosure.objects.create(year=2002, operator=operator, due_on=today + timedelta(days=60))
    call_command("send_reminders")
    call_command("send_reminders")  # a second run the same day tells nobody twice
    rows = Notification.objects.filter(kind=Kind.DISCLOSURE_DUE)
    assert sorted(rows.values_list("recipient__username", "params__year")) == sorted(
        [(operator_member.username, "2001"), (approver.username, "2001")]
    )
    assert reviewer.username not in told(Kind.DISCLOSURE_DUE)  # may not publish
    assert rival_member.username not in told(Kind.DISCLOSURE_DUE)
