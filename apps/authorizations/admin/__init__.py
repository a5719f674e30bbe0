"""The bureau's admin for qualifications, applications and authorizations.

Reviewers and approvers act here through the same services as the web pages; auditors read the
lists and the history only. Nothing in this package writes to the database except through
``services``: records the law expects to last are never added, edited or deleted in the admin.
Uploaded documents are served by permission-checked views, never from MEDIA_URL
(../shared/library-notes.md §7).
"""

# Importing the modules registers their ModelAdmins (admin.autodiscover imports this package).
from . import applications, authorizations, combination_rules, qualifications  # noqa: F401
