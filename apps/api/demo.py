"""The demo API key: a working key of the demo operator, the same on every run, so ``seed_demo`` can
print it again and the README's curl examples keep working.

Its secret is fixed and public (it is in this file): it is for the demo only. Like every key, the
database keeps only the prefix and a hash of the secret. Safe to run again: a usable demo key is
reused; if someone revoked it (or it expired), the next demo prefix gets a fresh key.
"""

from django.db import transaction

from apps.accounts.models import User

from . import services
from .keys import KEY_SCHEME, hash_secret
from .models import ApiKey

DEMO_OPERATOR_CREDIT_CODE = "91520100MA6DKR4Q1N"  # 城市数据运营有限公司
DEMO_KEY_OWNER = "op_admin"
DEMO_KEY_NAME = "演示密钥"
# Random prefixes never contain "o" or "0" (keys.PREFIX_ALPHABET), so these never collide.
DEMO_PREFIX_STEM = "demo"
DEMO_SECRET = "demo-only-public-secret-never-use-in-production"  # noqa: S105 - public by design


def demo_key(prefix: str) -> str:
    return f"{KEY_SCHEME}_{prefix}_{DEMO_SECRET}"


@transaction.atomic
def seed_api_key() -> str:
    """Create the demo key once (for op_admin of the demo operator) and return the full key."""
    owner = User.objects.get(
        username=DEMO_KEY_OWNER, operator__credit_code=DEMO_OPERATOR_CREDIT_CODE
    )
    demo_keys = ApiKey.objects.filter(
        operator_id=owner.operator_id,  # type: ignore[misc]  # the stubs refuse None (IS NULL)
        prefix__startswith=DEMO_PREFIX_STEM,
    )
    usable = demo_keys.usable().filter(secret_hash=hash_secret(DEMO_SECRET)).first()
    if usable is not None:
        return demo_key(usable.prefix)
    prefix = f"{DEMO_PREFIX_STEM}{demo_keys.count() + 1:06d}"
    key, _random_key = services.api_key_create(actor=owner, name=DEMO_KEY_NAME)
    # Swap the random secret for the fixed one; the creation record names the prefix it has now.
    ApiKey.objects.filter(pk=key.pk).update(prefix=prefix, secret_hash=hash_secret(DEMO_SECRET))
    key.history.update(prefix=prefix)
    return demo_key(prefix)
