"""Every write of qualification, application and authorization."""

from .aggregation import (
    aggregation_justification_confirm,
    aggregation_justification_propose,
    combination_rule_save,
)
from .applications import (
    application_approve,
    application_department_opinion,
    application_recommend,
    application_reject,
    application_submit,
    application_withdraw,
    scenario_create,
)
from .authorizations import (
    authorization_check_access,
    authorization_resume,
    authorization_revoke,
    authorization_suspend,
    authorization_sync_permission,
    authorizations_expire,
    operator_sync_permissions,
)
from .qualifications import qualification_review, qualification_submit

__all__ = [
    "aggregation_justification_confirm",
    "aggregation_justification_propose",
    "application_approve",
    "application_department_opinion",
    "application_recommend",
    "application_reject",
    "application_submit",
    "application_withdraw",
    "authorization_check_access",
    "authorization_resume",
    "authorization_revoke",
    "authorization_suspend",
    "authorization_sync_permission",
    "authorizations_expire",
    "combination_rule_save",
    "operator_sync_permissions",
    "qualification_review",
    "qualification_submit",
    "scenario_create",
]
