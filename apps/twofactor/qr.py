"""QR codes drawn on the server as inline SVG: the set-up page loads nothing from elsewhere, and
the secret never goes to a QR-code service."""

import qrcode
from django.utils.safestring import SafeString, mark_safe
from qrcode.image.svg import SvgPathImage


def qr_svg(data: str) -> SafeString:
    image = qrcode.make(data, image_factory=SvgPathImage, box_size=8, border=2)
    # Safe: the markup is qrcode's own path drawing; ``data`` only decides which squares are dark.
    return mark_safe(image.to_string(encoding="unicode"))  # noqa: S308
