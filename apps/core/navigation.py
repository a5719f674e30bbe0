"""Navigation and next actions per role. Each domain app adds its links here as it lands."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import OrganisationRole, Role, User


@dataclass(frozen=True)
class Link:
    label: str | Promise
    url: str
    description: str | Promise = ""


def navigation_for(user: User | None) -> list[Link]:
    links = [
        Link(_("Home"), reverse("home")),
        Link(_("Catalog"), reverse("catalog:list")),
        Link(_("Disclosure"), reverse("authorizations:disclosure")),
        Link(_("Registrations"), reverse("registration:list")),
        Link(_("Prices"), reverse("products:prices")),
        Link(_("Scenarios"), reverse("authorizations:scenarios")),
    ]
    if user is None or not user.is_authenticated:
        return links
    if user.role == Role.BUREAU:
        links += [
            Link(_("Administration"), reverse("admin:index")),
            Link(_("Revenue"), reverse("bureau_revenue:index")),
            Link(_("Data supply assessment"), reverse("reporting:bureau-assessment")),
        ]
    if user.role == Role.DEPARTMENT:
        links += [
            Link(_("Catalog entries"), reverse("department_catalog:list")),
            Link(_("Applications"), reverse("department_authorizations:list")),
            Link(_("Registration"), reverse("department_registration:list")),
            Link(_("Usage"), reverse("department_usage:index")),
            Link(_("Revenue shares"), reverse("department_revenue:index")),
            Link(_("Chief data officer"), reverse("cdo:department")),
        ]
    if user.role == Role.OPERATOR:
        links += [
            Link(_("Applications"), reverse("operator_authorizations:applications")),
            Link(_("Authorizations"), reverse("operator_authorizations:authorizations")),
            Link(_("Qualifications"), reverse("operator_authorizations:qualifications")),
            Link(_("API keys"), reverse("api_keys:list")),
            Link(_("Usage"), reverse("operator_usage:index")),
            Link(_("Revenue"), reverse("operator_revenue:reports")),
            Link(_("Products"), reverse("operator_products:list")),
            Link(_("Registration"), reverse("operator_registration:list")),
        ]
    if user.role in (Role.DEPARTMENT, Role.OPERATOR):
        links.append(Link(_("My organisation"), reverse("organisation")))
    return links


def next_actions_for(user: User) -> list[Link]:
    """What the home page offers each role to do next."""
    if not user.is_authenticated:
        return [Link(_("Log in"), reverse("login"), _("Staff, departments and operators."))]
    actions: list[Link] = []
    if user.role == Role.BUREAU:
        actions += [
            Link(
                _("Data supply assessment"),
                reverse("reporting:bureau-assessment"),
                _("Each organisation's catalog, data loads, use and revenue shared, per period."),
            ),
            Link(
                _("Review submitted catalog entries"),
                reverse("admin:catalog_catalogentry_changelist") + "?status__exact=submitted",
                _("Publish, return or reject what departments submitted."),
            ),
            Link(
                _("Review departments"),
                reverse("admin:organisations_department_changelist"),
                _("The providing departments and their codes."),
            ),
            Link(
                _("Review operators"),
                reverse("admin:organisations_operator_changelist"),
                _("Market entities and their credit codes."),
            ),
            Link(
                _("Revenue ledger"),
                reverse("bureau_revenue:index"),
                _("Verified proceeds, settled shares per department and operator, exports."),
            ),
            Link(
                _("Review data products and set cap prices"),
                reverse("admin:products_product_changelist") + "?status__exact=submitted",
                _("Security and business-compliance reviews, cap prices, withdrawals."),
            ),
        ]
    elif user.role == Role.DEPARTMENT:
        actions += [
            Link(
                _("Describe a new catalog entry"),
                reverse("department_catalog:create"),
                _("Create a catalog entry with its field schema and submit it for review."),
            ),
            Link(
                _("Follow my catalog entries"),
                reverse("department_catalog:list"),
                _("Review status and the bureau's comments."),
            ),
            Link(
                _("Give opinions on applications"),
                reverse("department_authorizations:list"),
                _("Operators' applications for your department's data."),
            ),
        ]
    elif user.role == Role.OPERATOR:
        actions += [
            Link(
                _("Keep qualifications current"),
                reverse("operator_authorizations:qualifications"),
                _("Upload evidence; only a qualified operator may apply and query data."),
            ),
            Link(
                _("Apply for a catalog entry"),
                reverse("operator_authorizations:application-create"),
                _("Choose a conditional catalog entry, a scenario and the fields you need."),
            ),
            Link(
                _("Follow my applications"),
                reverse("operator_authorizations:applications"),
                _("Department opinion, bureau decision and the resulting authorization."),
            ),
            Link(
                _("List and price data products"),
                reverse("operator_products:list"),
                _("Products and services for review, actual prices within the caps."),
            ),
            Link(
                _("Register a data product"),
                reverse("operator_registration:create"),
                _("Register an offered product or service with the data bureau."),
            ),
        ]
        if user.organisation_role == OrganisationRole.ADMIN:
            actions.append(
                Link(
                    _("Create an API key"),
                    reverse("api_keys:create"),
                    _("Let your systems query the catalog entries you are authorized for."),
                )
            )
    if user.role in (Role.DEPARTMENT, Role.OPERATOR):
        actions.append(
            Link(
                _("See my organisation"),
                reverse("organisation"),
                _("Your organisation's details and its members."),
            )
        )
    actions.append(
        Link(_("Change my password"), reverse("password_change"), _("Keep your account safe."))
    )
    if user.is_staff:
        actions.append(
            Link(
                _("Two-factor authentication"),
                reverse("twofactor:manage"),
                _("Your authenticator app and recovery codes."),
            )
        )
    return actions
