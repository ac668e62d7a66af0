"""Uploaded pieces checked by their content (R51), never by their name or declared type.

A PDF must start with its signature, open in pypdf to its last page, and not be encrypted. A
JPEG must start with its signature and decode whole in Pillow; it is stored without any metadata
(EXIF, GPS position), turned upright, and scaled down until it fits in 5 Mo when a phone photo is
larger. Several photos of one document become one PDF, a page each. Every refusal is a French
message (gettext source) saying what to do.
"""
import io
from dataclasses import dataclass

from cyclades.domain import N_

MAX_BYTES = 5 * 1024 * 1024  #: R51: 5 Mo a file
PDF, JPEG = "application/pdf", "image/jpeg"
#: The longest side a photo is brought down to first when it is too heavy: an A4 page at
#: 250 dpi, still sharp when printed.
LEGIBLE_SIDE = 2900
SMALLEST_SIDE = 1200  #: below this a page of text stops being legible


@dataclass(frozen=True)
class Checked:
    data: bytes  #: what is stored: the PDF as sent, or the cleaned JPEG
    mimetype: str
    resized: bool = False  #: a photo scaled down to fit


class Refused(ValueError):
    def __init__(self, reason: str, **values):
        super().__init__(reason)
        self.reason = reason
        self.values = values


def size_text(size: int) -> str:
    return f"{size / 1024 / 1024:.1f}".replace(".", ",")


def check(data: bytes) -> Checked:
    """The file as it will be stored, or Refused."""
    if not data:
        raise Refused(N_("Le fichier est vide (0 octet) : choisissez de nouveau votre fichier."))
    if data.startswith(b"%PDF-"):
        return _check_pdf(data)
    if data.startswith(b"\xff\xd8\xff"):
        return _check_jpeg(data)
    raise Refused(N_("Ce fichier n'est ni un PDF ni une photo JPEG, quel que soit son nom : "
                     "déposez un fichier PDF, ou une photo prise avec votre téléphone."))


ENCRYPTED, DAMAGED = "encrypted", "damaged"


def pdf_problem(data: bytes) -> str | None:
    """None for a PDF that opens in pypdf to its last page; ENCRYPTED or DAMAGED otherwise (a
    file without the PDF signature is DAMAGED too)."""
    from pypdf import PdfReader
    from pypdf.errors import FileNotDecryptedError, PyPdfError

    if not data.startswith(b"%PDF-"):
        return DAMAGED
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            return ENCRYPTED
        if not reader.pages or b"%%EOF" not in data[-2048:]:
            return DAMAGED
        for page in reader.pages:
            page.mediabox  # every page readable
    except (PyPdfError, FileNotDecryptedError, ValueError, KeyError, TypeError, OSError,
            AttributeError, IndexError):
        return DAMAGED
    return None


def _check_pdf(data: bytes) -> Checked:
    if len(data) > MAX_BYTES:
        raise Refused(N_("Le fichier pèse %(size)s Mo, plus que les 5 Mo permis : réduisez-le "
                         "(numérisez en noir et blanc ou à 150 ppp), ou photographiez le "
                         "document."), size=size_text(len(data)))
    problem = pdf_problem(data)
    if problem == ENCRYPTED:
        raise Refused(N_("Ce PDF est protégé par un mot de passe : enregistrez-le sans "
                         "protection, puis déposez-le de nouveau."))
    if problem == DAMAGED:
        raise Refused(N_("Ce PDF est endommagé ou incomplet (envoi interrompu ?) : ouvrez-le "
                         "sur votre appareil pour vérifier, puis déposez-le de nouveau."))
    return Checked(data, PDF)


def _open_image(data: bytes):
    from PIL import Image, UnidentifiedImageError

    Image.MAX_IMAGE_PIXELS = 120_000_000  # the largest phone sensors (108 Mpx); more is a bomb
    try:
        image = Image.open(io.BytesIO(data))
        if image.format != "JPEG":
            raise ValueError(image.format)
        image.load()  # decodes every byte: a truncated photo fails here
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError,
            Image.DecompressionBombError) as error:
        raise Refused(N_("Cette photo est endommagée ou incomplète (envoi interrompu ?) : "
                         "prenez-la ou choisissez-la de nouveau.")) from error
    return image


def _encode(image, quality=85) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality, optimize=True)  # no exif= : no metadata
    return buffer.getvalue()


def _check_jpeg(data: bytes) -> Checked:
    from PIL import ImageOps

    image = _open_image(data)
    image = ImageOps.exif_transpose(image)  # upright, as the phone showed it
    if image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    clean = _encode(image)
    resized = False
    side = LEGIBLE_SIDE
    while len(clean) > MAX_BYTES:
        if max(image.size) <= SMALLEST_SIDE:
            raise Refused(N_("Cette photo reste plus lourde que 5 Mo même réduite : "
                             "photographiez le document de plus près, sans zoom."))
        image.thumbnail((side, side))
        clean = _encode(image, quality=80)
        resized = True
        side = int(max(image.size) * 0.8)
    return Checked(clean, JPEG, resized)


def photos_to_pdf(photos: list[bytes]) -> bytes:
    """Several checked JPEG photos (one per page of a document) as one PDF."""
    images = [_open_image(photo).convert("RGB") for photo in photos]
    buffer = io.BytesIO()
    images[0].save(buffer, "PDF", save_all=True, append_images=images[1:], resolution=150)
    return buffer.getvalue()
