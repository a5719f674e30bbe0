"""Department pages: a providing department applies for the registration of its catalog entries,
answers a materials notice, and follows each step with its deadline (views_registrant.py)."""

from apps.core.access import department_member

from . import selectors
from .forms import ApplicationForm
from .views_registrant import Registrant, registrant_views

DEPARTMENT = Registrant(
    namespace="department_registration",
    member=department_member,
    subject="entry",
    form=lambda *args, subjects, **kwargs: ApplicationForm(*args, entries=subjects, **kwargs),
    subjects=selectors.entries_registrable,
    applications=selectors.applications_of_department,
    application=selectors.application_of_department,
)

application_list, application_create, application_detail = registrant_views(DEPARTMENT)
