"""Portal users. A user belongs to at most one organisation (bureau, department or operator).

The organisation is three nullable foreign keys with a database constraint that at most one is
set, so "objects of my organisation" is an ordinary indexed filter everywhere.
"""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class OrganisationRole(models.TextChoices):
    MEMBER = "member", _("member")
    ADMIN = "admin", _("administrator")


class Role(models.TextChoices):
    """What the user does in the portal; decides navigation and home-page actions."""

    BUREAU = "bureau", _("bureau staff")
    DEPARTMENT = "department", _("department")
    OPERATOR = "operator", _("operator")
    NONE = "none", _("no organisation")


class User(AbstractUser):
    bureau = models.ForeignKey(
        "organisations.Bureau",
        verbose_name=_("bureau"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    department = models.ForeignKey(
        "organisations.Department",
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    operator = models.ForeignKey(
        "organisations.Operator",
        verbose_name=_("operator"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    organisation_role = models.CharField(
        _("role in organisation"),
        max_length=10,
        choices=OrganisationRole.choices,
        blank=True,
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                # At most one organisation: the three "is set" flags sum to 0 or 1.
                condition=~(
                    (Q(bureau__isnull=False) & Q(department__isnull=False))
                    | (Q(bureau__isnull=False) & Q(operator__isnull=False))
                    | (Q(department__isnull=False) & Q(operator__isnull=False))
                ),
                name="user_at_most_one_organisation",
                violation_error_message=_("A user belongs to at most one organisation."),
            ),
            models.CheckConstraint(
                condition=(
                    Q(bureau__isnull=True, department__isnull=True, operator__isnull=True)
                    & Q(organisation_role="")
                )
                | (
                    ~Q(bureau__isnull=True, department__isnull=True, operator__isnull=True)
                    & ~Q(organisation_role="")
                ),
                name="user_role_iff_organisation",
                violation_error_message=_(
                    "A member of an organisation needs a role (member or administrator), "
                    "and a user without an organisation has none."
                ),
            ),
            models.CheckConstraint(
                condition=Q(bureau__isnull=True) | Q(is_staff=True),
                name="user_bureau_is_staff",
                violation_error_message=_("Bureau users are staff (they work in the admin)."),
            ),
        ]

    @property
    def role(self) -> Role:
        if self.bureau_id:
            return Role.BUREAU
        if self.department_id:
            return Role.DEPARTMENT
        if self.operator_id:
            return Role.OPERATOR
        return Role.NONE

    @property
    def organisation(self) -> models.Model | None:
        return self.bureau or self.department or self.operator

    @property
    def is_organisation_admin(self) -> bool:
        return self.organisation_role == OrganisationRole.ADMIN
