"""The three kinds of organisation a portal user can belong to (../shared/domain.md, "Who uses").

Each operator has its own auth Group: django-guardian object permissions on catalog entries are
granted to that group, never to individual users (../shared/library-notes.md §1).
"""

from django.contrib.auth.models import Group
from django.db import models
from django.utils.translation import gettext_lazy as _

from .credit_code import validate_credit_code


class Bureau(models.Model):
    """The city data bureau (大数据局) that keeps the catalog and authorizes operators."""

    name = models.CharField(_("name"), max_length=200)
    code = models.SlugField(_("code"), max_length=40, unique=True)

    class Meta:
        verbose_name = _("data bureau")
        verbose_name_plural = _("data bureaus")

    def __str__(self) -> str:
        return self.name


class DepartmentKind(models.TextChoices):
    GOVERNMENT = "government", _("government department")
    INSTITUTION = "institution", _("public institution")
    STATE_OWNED = "soe", _("state-owned enterprise")


class Department(models.Model):
    """A providing unit (数据提供部门) whose data enters the catalog."""

    name = models.CharField(_("name"), max_length=200)
    code = models.CharField(
        _("code"),
        max_length=20,
        unique=True,
        help_text=_("Short unique code; it prefixes the identifiers of the department's entries."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=DepartmentKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent department"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    is_active = models.BooleanField(_("active"), default=True)
    submissions_need_cdo_confirmation = models.BooleanField(
        _("catalog submissions need the CDO's confirmation"),
        default=False,
        help_text=_(
            "When set, an entry goes to the bureau only after the department's CDO confirms it."
        ),
    )

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(code__regex=r"^[A-Z][A-Z0-9]{1,19}$"),
                name="department_code_format",
                violation_error_message=_(
                    "The code must be 2 to 20 capital letters or digits, starting with a letter."
                ),
            ),
            models.CheckConstraint(
                condition=~models.Q(parent=models.F("pk")),
                name="department_not_own_parent",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Operator(models.Model):
    """A market entity (运营主体) that may be authorized to operate public data."""

    name = models.CharField(_("name"), max_length=200)
    credit_code = models.CharField(
        _("unified social credit code"),
        max_length=18,
        unique=True,
        validators=[validate_credit_code],
        help_text=_("18 characters, GB 32100-2015, with its check digit."),
    )
    group = models.OneToOneField(
        Group, on_delete=models.PROTECT, related_name="operator", editable=False
    )
    contact_email = models.EmailField(_("contact email"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("operator")
        verbose_name_plural = _("operators")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
