"""Uploaded pieces checked by their content (R51), never by their name or declared type.

A PDF must start with its signature and pass `cyclades.pdfcheck` (opens to its last page, not
encrypted, nothing active, checked under a budget). A JPEG must start with its signature and
decode whole in Pillow, at a reduced scale when it is far larger than a page and only if
decoding it fits in memory; it is stored as its pixels alone (no EXIF, GPS position, comment or
other segment), turned upright, and scaled down until it fits in 5 Mo when a phone photo is
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


def _check_pdf(stream: BinaryIO, size: int) -> None:
    from cyclades import pdfcheck

    if size > MAX_BYTES:
        raise Refused(N_("Le fichier pèse %(size)s Mo, plus que les 5 Mo permis : réduisez-le "
                         "(numérisez en noir et blanc ou à 150 ppp), ou photographiez le "
                         "document."), size=size_text(size))
    problem = pdfcheck.problem(stream)
    if problem == pdfcheck.ENCRYPTED:
        raise Refused(N_("Ce PDF est protégé par un mot de passe : enregistrez-le sans "
                         "protection, puis déposez-le de nouveau."))
    if problem == pdfcheck.DAMAGED:
        raise Refused(N_("Ce PDF est endommagé ou incomplet (envoi interrompu ?) : ouvrez-le "
                         "sur votre appareil pour vérifier, puis déposez-le de nouveau."))
    if problem == pdfcheck.ACTIVE:
        raise Refused(N_("Ce PDF contient du contenu actif (script, pièce jointe ou lancement "
                         "d'un programme), refusé pour la sécurité du service : ouvrez-le, "
                         "choisissez « Imprimer » puis « Enregistrer au format PDF », et "
                         "déposez ce nouveau fichier, ou photographiez le document."))
    if problem == pdfcheck.TOO_COMPLEX:
        raise Refused(N_("Ce PDF est trop complexe pour être vérifié (son contenu se "
                         "décompresse en un volume démesuré) : ouvrez-le, choisissez "
                         "« Imprimer » puis « Enregistrer au format PDF », et déposez ce nouveau "
                         "fichier, ou photographiez le document."))


#: What decoding one photo may hold in memory (the pixels, or for a progressive JPEG the
#: coefficients of the whole image, which libjpeg keeps whatever the scale).
DECODE_BYTES = 160 * 1024 * 1024


def _decode_cost(image, full_size: tuple[int, int]) -> int:
    """Bytes libjpeg holds to decode `image` (of `full_size`) at the scale draft() has set."""
    width, height = image.size
    cost = width * height * len(image.getbands())
    if image.info.get("progressive") or image.info.get("progression"):
        layers = image.layer or [("", 1, 1, 0)]
        h_max = max(layer[1] for layer in layers)
        v_max = max(layer[2] for layer in layers)
        share = sum(layer[1] * layer[2] for layer in layers) / (h_max * v_max)
        cost += int(full_size[0] * full_size[1] * share * 2)  # 16-bit coefficients, full size
    return cost


def _open_image(data: bytes):
    from PIL import Image

    try:
        image = Image.open(io.BytesIO(data))
        if image.format not in ("JPEG", "MPO"):  # MPO: a phone's JPEG with a second view
            raise ValueError(image.format)
        width, height = image.size
        if width * height > MAX_PIXELS:
            raise Image.DecompressionBombError(image.size)
        # libjpeg decodes straight at a reduced scale (1/2, 1/4, 1/8) what is far beyond a
        # legible page, judged by the longest side: a very long, thin image is brought down
        # too, not decoded whole because its short side is small.
        longest = max(width, height)
        if longest > LEGIBLE_SIDE:
            target = (max(1, width * LEGIBLE_SIDE // longest),
                      max(1, height * LEGIBLE_SIDE // longest))
        else:
            target = (width, height)
        image.draft("RGB", target)
    except Exception as error:  # a crafted file can break the decoder in any way
        raise Refused(N_("Cette photo est endommagée ou incomplète (envoi interrompu ?) : "
                         "prenez-la ou choisissez-la de nouveau.")) from error
    if _decode_cost(image, (width, height)) > DECODE_BYTES:
        raise Refused(N_("Cette photo est trop grande pour être traitée (%(pixels)s millions "
                         "de pixels) : photographiez le document de nouveau, ou enregistrez "
                         "la photo en plus petit."),
                      pixels=str(round(width * height / 1_000_000)))
    from PIL import ImageFile

    # Pillow's switch is global and WeasyPrint turns it on when imported (weasyprint/images.py):
    # on, a truncated photo is padded with grey and kept. Off here, whoever set it.
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        image.load()  # decodes every byte: a truncated photo fails here
    except Exception as error:
        raise Refused(N_("Cette photo est endommagée ou incomplète (envoi interrompu ?) : "
                         "prenez-la ou choisissez-la de nouveau.")) from error
    return image


def _encode(image, quality=85) -> bytes:
    """The pixels alone: Pillow would write back the photo's comment (a COM segment can carry
    anything, HTML included) from `image.info`; EXIF, XMP and ICC only when asked."""
    image.info = {}
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality, optimize=True)
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
    elif getattr(image, "n_frames", 1) > 1:  # an MPO: its first view only
        image = image.copy()
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
