"""What twofactor announces to the apps above it (the notifications app tells the user).

``second_factor_changed`` is sent inside the transaction of the change, with ``user`` and
``change`` (``authenticator``, ``recovery_codes`` or ``recovery_code_used``).
"""

from django.dispatch import Signal

second_factor_changed = Signal()
