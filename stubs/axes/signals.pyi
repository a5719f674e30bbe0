from django.dispatch import Signal

# Sent with request, username and ip_address when a login is locked out.
user_locked_out: Signal
