"""A QR code drawn on the server as inline SVG (no image service, nothing leaves the portal)."""
import re

from markupsafe import Markup


def qr_svg(text: str) -> Markup:
    """The QR code of `text` as an <svg>, exposed as one image (its figcaption says what it
    is; the same secret is written in text beside it)."""
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=10,
                        border=2)
    svg = image.to_string(encoding="unicode")
    svg = re.sub(r'\s(width|height)="[^"]*"', "", svg, count=2)
    svg = svg.replace(' id="qr-path"', "").replace("<svg ", '<svg class="qr-code" aria-hidden="true" focusable="false" ', 1)
    return Markup(svg)
