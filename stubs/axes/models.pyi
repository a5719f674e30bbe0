from django.db import models

class AccessBase(models.Model):
    user_agent = models.CharField(max_length=255)
    ip_address = models.GenericIPAddressField(null=True)
    username = models.CharField(max_length=255, null=True)
    http_accept = models.CharField(max_length=1025)
    path_info = models.CharField(max_length=255)
    attempt_time = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True

class AccessFailureLog(AccessBase):
    locked_out = models.BooleanField(default=False, blank=True)

class AccessAttempt(AccessBase):
    get_data = models.TextField()
    post_data = models.TextField()
    failures_since_start = models.PositiveIntegerField()

class AccessAttemptExpiration(models.Model):
    access_attempt = models.OneToOneField(
        AccessAttempt, primary_key=True, on_delete=models.CASCADE, related_name="expiration"
    )
    expires_at = models.DateTimeField()

class AccessLog(AccessBase):
    logout_time = models.DateTimeField(null=True, blank=True)
    session_hash = models.CharField(max_length=64, blank=True)
