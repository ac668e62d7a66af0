"""Uploaded pieces checked by their content (R51), never by their name or declared type.

A PDF must start with its signature, open in pypdf to its last page, and not be encrypted. A
JPEG must start with its signature and decode whole in Pillow; it is stored without any metadata
(EXIF, GPS position), turned upright, and scaled down until it fits in 5 Mo when a phone photo is
larger. Several photos of one document become one PDF, a page each. Every refusal is a French
message (gettext source) saying what to do.
"""
import io
from dataclasses import dataclass
from typing import BinaryIO

from cyclades.domain import N_

MAX_BYTES = 5 * 1024 * 1024  #: R51: 5 Mo a file
PDF, JPEG = "application/pdf", "image/jpeg"
#: The longest side a photo is brought down to first when it is too heavy: an A4 page at
#: 250 dpi, still sharp when printed.
LEGIBLE_SIDE = 2900
SMALLEST_SIDE = 1200  #: below this a page of text stops being legible
#: Beyond the largest phone sensors (108 Mpx) a JPEG is refused before it is decoded: a small
#: file can claim billions of pixels.
MAX_PIXELS = 120_000_000


@dataclass(frozen=True)
class Checked:
    data: bytes | None  #: what is stored: the PDF as sent, or the cleaned JPEG
    mimetype: str
    resized: bool = False  #: a photo scaled down to fit
    #: check_file() of a PDF: the checked stream itself, stored by copying, never read whole.
    stream: BinaryIO | None = None


class Refused(ValueError):
    def __init__(self, reason: str, **values):
        super().__init__(reason)
        self.reason = reason
        self.values = values


def size_text(size: int) -> str:
    """Megabytes rounded up to a tenth: a file just over 5 Mo never reads « 5,0 Mo »."""
    tenths = -(-size * 10 // (1024 * 1024))
    return f"{tenths // 10},{tenths % 10}"


def check(data: bytes) -> Checked:
    """The file as it will be stored, or Refused."""
    checked = check_file(io.BytesIO(data))
    return Checked(data, PDF) if checked.mimetype == PDF else checked


def check_file(stream: BinaryIO, page_budget: int | None = None) -> Checked:
    """An uploaded file (seekable, spooled to disk by the server) as it will be stored, or
    Refused. A PDF is parsed from the stream and never read whole into memory; a photo has to
    be decoded, so it is read. `page_budget`: the photo will be one page of a PDF of several,
    brought to an A4 page's legible size and to at most this many bytes."""
    stream.seek(0, io.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    head = stream.read(8)
    stream.seek(0)
    if not size:
        raise Refused(N_("Le fichier est vide (0 octet) : choisissez de nouveau votre fichier."))
    if head.startswith(b"%PDF-"):
        _check_pdf(stream, size)
        stream.seek(0)
        return Checked(None, PDF, stream=stream)
    if head.startswith(b"\xff\xd8\xff"):
        if page_budget:
            return _check_jpeg(stream.read(), LEGIBLE_SIDE, page_budget)
        return _check_jpeg(stream.read())
    raise Refused(N_("Ce fichier n'est ni un PDF ni une photo JPEG, quel que soit son nom : "
                     "déposez un fichier PDF, ou une photo prise avec votre téléphone."))


ENCRYPTED, DAMAGED = "encrypted", "damaged"


def pdf_problem(data: bytes | BinaryIO) -> str | None:
    """None for a PDF that opens in pypdf to its last page; ENCRYPTED or DAMAGED otherwise (a
    file without the PDF signature is DAMAGED too). `data`: bytes, or a seekable stream."""
    from pypdf import PdfReader

    stream = io.BytesIO(data) if isinstance(data, bytes) else data
    stream.seek(0)
    if stream.read(5) != b"%PDF-":
        return DAMAGED
    stream.seek(0, io.SEEK_END)
    stream.seek(max(0, stream.tell() - 2048))
    ends_well = b"%%EOF" in stream.read()
    stream.seek(0)
    try:
        reader = PdfReader(stream, strict=False)
        if reader.is_encrypted:
            return ENCRYPTED
        if not reader.pages or not ends_well:
            return DAMAGED
        for page in reader.pages:
            page.mediabox  # every page readable
    except Exception:  # a crafted PDF can break the parser in any way: it is damaged
        return DAMAGED
    return None


def _check_pdf(stream: BinaryIO, size: int) -> None:
    if size > MAX_BYTES:
        raise Refused(N_("Le fichier pèse %(size)s Mo, plus que les 5 Mo permis : réduisez-le "
                         "(numérisez en noir et blanc ou à 150 ppp), ou photographiez le "
                         "document."), size=size_text(size))
    problem = pdf_problem(stream)
    if problem == ENCRYPTED:
        raise Refused(N_("Ce PDF est protégé par un mot de passe : enregistrez-le sans "
                         "protection, puis déposez-le de nouveau."))
    if problem == DAMAGED:
        raise Refused(N_("Ce PDF est endommagé ou incomplet (envoi interrompu ?) : ouvrez-le "
                         "sur votre appareil pour vérifier, puis déposez-le de nouveau."))


def _open_image(data: bytes):
    from PIL import Image

    try:
        image = Image.open(io.BytesIO(data))
        if image.format != "JPEG":
            raise ValueError(image.format)
        if image.width * image.height > MAX_PIXELS:
            raise Image.DecompressionBombError(image.size)
        # libjpeg decodes straight at a reduced scale what is far beyond a legible page.
        image.draft("RGB", (LEGIBLE_SIDE, LEGIBLE_SIDE))
        image.load()  # decodes every byte: a truncated photo fails here
    except Exception as error:  # a crafted file can break the decoder in any way
        raise Refused(N_("Cette photo est endommagée ou incomplète (envoi interrompu ?) : "
                         "prenez-la ou choisissez-la de nouveau.")) from error
    return image


def _encode(image, quality=85) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality, optimize=True)  # no exif= : no metadata
    return buffer.getvalue()


def _check_jpeg(data: bytes, side: int | None = None, budget: int = MAX_BYTES) -> Checked:
    from PIL import ImageOps

    image = _open_image(data)
    try:
        ImageOps.exif_transpose(image, in_place=True)  # upright, as the phone showed it
    except Exception:  # unreadable orientation data: kept as taken
        pass
    if image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    resized = bool(side) and max(image.size) > side
    if resized:
        image.thumbnail((side, side))
    clean = _encode(image)
    side = LEGIBLE_SIDE
    while len(clean) > budget:
        if max(image.size) <= SMALLEST_SIDE:
            if budget < MAX_BYTES:
                raise Refused(N_("Ensemble, ces photos dépassent 5 Mo même réduites : déposez "
                                 "le document en plusieurs fois, quelques pages à chaque "
                                 "fois."))
            raise Refused(N_("Cette photo reste plus lourde que 5 Mo même réduite : "
                             "photographiez le document de plus près, sans zoom."))
        image.thumbnail((side, side))
        clean = _encode(image, quality=80)
        resized = True
        side = int(max(image.size) * 0.8)
    return Checked(clean, JPEG, resized)


def photos_to_pdf(photos: list[bytes]) -> bytes:
    """Several checked JPEG photos (one per page of a document, in order) as one PDF: each photo
    is embedded as it is (never decoded again), on an A4 page in the photo's orientation."""
    from fpdf import FPDF
    from PIL import Image

    pdf = FPDF(unit="mm")
    pdf.set_auto_page_break(False)
    pdf.set_margin(0)
    for photo in photos:
        width, height = Image.open(io.BytesIO(photo)).size  # reads the header only
        landscape = width > height
        pdf.add_page(orientation="L" if landscape else "P", format="A4")
        page_w, page_h = (297, 210) if landscape else (210, 297)
        scale = min(page_w / width, page_h / height)
        w, h = width * scale, height * scale
        pdf.image(io.BytesIO(photo), x=(page_w - w) / 2, y=(page_h - h) / 2, w=w, h=h)
    return bytes(pdf.output())


#: The view functions that receive files (see accepts_uploads).
_UPLOAD_VIEWS: set = set()


def accepts_uploads(view):
    """Marks a view that receives files: its requests may be as large as UPLOAD_MAX_REQUEST
    (several phone photos), every other request stays under MAX_CONTENT_LENGTH."""
    _UPLOAD_VIEWS.add(view)
    return view


def is_upload_request() -> bool:
    """The current request goes to a view that receives files."""
    from flask import current_app, request

    return current_app.view_functions.get(request.endpoint) in _UPLOAD_VIEWS


def init_app(app):
    """Raises the request size cap for the upload views. Registered before CSRFProtect, whose
    check reads the form: the body is then parsed (streamed to disk above 500 Ko by Werkzeug)
    under the right cap, and a larger one is refused with 413 before it is read."""
    from flask import request

    @app.before_request
    def _upload_cap():
        from flask_login import current_user

        # Only a logged-in candidate may send that much; anyone else keeps the small cap.
        if is_upload_request() and current_user.is_authenticated:
            request.max_content_length = app.config["UPLOAD_MAX_REQUEST"]
            # Werkzeug's multipart decoder holds up to this much of a file part while it looks
            # for the boundary, on top of a 64 Ko read: the small forms' cap would refuse
            # some files at random.
            request.max_form_memory_size = 1024 * 1024
