"""R51: uploaded files are judged by their content. Real files are made here: each gets the
right outcome and the message a candidate reads."""
import io
import tracemalloc
import zipfile

import pytest
from fpdf import FPDF
from PIL import Image
from pypdf import PdfReader, PdfWriter

from cyclades import pdfcheck, uploads
from tests import hostile_files as hostile


def pdf_bytes(pages=1, text="Carte nationale d'identité") -> bytes:
    pdf = FPDF()
    for _ in range(pages):
        pdf.add_page()
        pdf.set_font("helvetica", size=14)
        pdf.cell(0, 10, "Carte nationale d'identite")
    return bytes(pdf.output())


def jpeg_bytes(size=(1200, 1600), exif=None, noise=False, quality=90) -> bytes:
    if noise:
        import os
        image = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
    else:
        image = Image.new("RGB", size, (240, 240, 230))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality, **({"exif": exif} if exif else {}))
    return buffer.getvalue()


def gps_exif() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (45.0, 46.0, 42.0), 3: "E", 4: (3.0, 5.0, 13.0)}  # GPS IFD
    return exif.tobytes()


def encrypted_pdf() -> bytes:
    writer = PdfWriter(clone_from=io.BytesIO(pdf_bytes()))
    writer.encrypt("secret")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (50, 50)).save(buffer, "PNG")
    return buffer.getvalue()


def zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("piece.txt", "bonjour")
    return buffer.getvalue()


def test_a_valid_pdf_is_kept_as_sent():
    data = pdf_bytes()
    checked = uploads.check(data)
    assert checked == uploads.Checked(data, uploads.PDF)


def test_a_valid_jpeg_is_kept_without_its_metadata():
    checked = uploads.check(jpeg_bytes(exif=gps_exif()))
    assert checked.mimetype == uploads.JPEG and not checked.resized
    image = Image.open(io.BytesIO(checked.data))
    assert image.format == "JPEG" and image.size == (1200, 1600)
    assert len(image.getexif()) == 0 and b"PhoneMaker" not in checked.data


def test_the_gps_position_of_a_photo_is_removed():
    original = jpeg_bytes(exif=gps_exif())
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # it was there
    cleaned = uploads.check(original).data
    assert not Image.open(io.BytesIO(cleaned)).getexif().get_ifd(0x8825)


def test_a_truncated_photo_is_refused_even_after_a_document_was_printed(app):
    from cyclades.documents import pdf

    with app.app_context():  # WeasyPrint imported and used: its import flips a Pillow switch
        pdf.render({"title": "T", "header": [], "meta": [], "footer": "F", "sections": []})
    with pytest.raises(uploads.Refused) as refused:
        uploads.check(jpeg_bytes()[:2000])
    assert "endommagée ou incomplète" in refused.value.reason


@pytest.mark.parametrize("data, message", [
    (b"", "vide (0 octet)"),
    (png_bytes(), "ni un PDF ni une photo JPEG"),  # a PNG renamed .pdf: the name is not read
    (b"<!doctype html><html><body>Pi\xc3\xa8ce</body></html>", "ni un PDF ni une photo JPEG"),
    (zip_bytes(), "ni un PDF ni une photo JPEG"),  # a ZIP renamed .jpg
    (pdf_bytes()[:600], "endommagé ou incomplet"),  # an upload broken midway
    (encrypted_pdf(), "protégé par un mot de passe"),
    (jpeg_bytes()[:2000], "endommagée ou incomplète"),
])
def test_what_is_refused_and_what_the_candidate_reads(data, message):
    with pytest.raises(uploads.Refused) as refused:
        uploads.check(data)
    assert message in refused.value.reason


def test_a_pdf_one_byte_over_5_mo_is_refused_with_its_size():
    data = pdf_bytes()
    data = data + b"%" * (uploads.MAX_BYTES + 1 - len(data))
    assert len(data) == 5 * 1024 * 1024 + 1
    with pytest.raises(uploads.Refused) as refused:
        uploads.check(data)
    assert "plus que les 5 Mo permis" in refused.value.reason
    assert refused.value.values == {"size": "5,1"}


def test_a_12_mo_phone_photo_is_scaled_down_to_fit_and_stays_legible():
    photo = jpeg_bytes(size=(4000, 3000), noise=True, quality=95)
    assert len(photo) > 12 * 1024 * 1024 * 0.9
    checked = uploads.check(photo)
    assert checked.resized and len(checked.data) <= uploads.MAX_BYTES
    width, height = Image.open(io.BytesIO(checked.data)).size
    assert max(width, height) >= uploads.SMALLEST_SIDE and width > height  # same orientation


def test_several_photos_become_one_pdf_a_page_each():
    pages = [uploads.check(jpeg_bytes()).data for _ in range(3)]
    data = uploads.photos_to_pdf(pages)
    assert uploads.check(data).mimetype == uploads.PDF
    assert len(PdfReader(io.BytesIO(data)).pages) == 3


# --- Hostile files (tests/hostile_files.py makes them as an attacker would) -------------------

HOSTILE_PDFS = {
    "pages in object streams that expand to 1,6 Go": hostile.object_stream_bomb,
    "a page whose content expands to 512 Mo": hostile.content_bomb,
    "an image of 100 000 × 100 000 pixels": hostile.image_bomb,
    "300 000 objects": hostile.many_objects,
}


@pytest.mark.parametrize("make", HOSTILE_PDFS.values(), ids=HOSTILE_PDFS.keys())
def test_a_pdf_that_would_exhaust_the_server_is_refused_within_a_bounded_memory(make):
    data = make()
    assert len(data) < 2 * 1024 * 1024  # what the attacker sends is small
    tracemalloc.start()
    try:
        with pytest.raises(uploads.Refused) as refused:
            uploads.check(data)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert "trop complexe pour être vérifié" in refused.value.reason
    assert "Enregistrer au format PDF" in refused.value.reason
    # The last stream decoded is cut at what remains of the budget (pypdf may copy it once).
    assert peak < 2 * pdfcheck.DECODED_BYTES + 16 * 1024 * 1024


ACTIVE_PDFS = {
    "a script run at opening": hostile.with_javascript,
    "an attached program": hostile.with_attachment,
    "a program launched at opening": hostile.with_launch_on_open,
    "a program launched at opening, by reference": hostile.with_indirect_launch,
    "a program attached to the page": hostile.with_attachment_annotation,
    "a script run when the page opens": hostile.with_page_script,
    "an XFA form": hostile.with_xfa_form,
}


@pytest.mark.parametrize("make", ACTIVE_PDFS.values(), ids=ACTIVE_PDFS.keys())
def test_a_pdf_with_active_content_is_refused_with_what_to_do(make):
    data = make()
    assert PdfReader(io.BytesIO(data)).pages  # an ordinary reader opens it
    with pytest.raises(uploads.Refused) as refused:
        uploads.check(data)
    assert "contient du contenu actif" in refused.value.reason


def test_a_pdf_that_opens_at_a_page_and_links_to_a_site_is_accepted():
    data = hostile.with_harmless_open_action_and_link()
    assert uploads.check(data).mimetype == uploads.PDF


def test_a_long_text_pdf_is_accepted():
    data = pdf_bytes(pages=300)
    assert uploads.check(data).mimetype == uploads.PDF


#: JPEG markers a photo is stored with: JFIF header, quantisation and Huffman tables, frame,
#: restart interval, scan. No APPn with EXIF, XMP or ICC, no comment.
PIXELS_ONLY = {0xE0, 0xDB, 0xC0, 0xC2, 0xC4, 0xDD, 0xDA}


def test_a_photo_keeps_nothing_but_its_pixels():
    original = hostile.jpeg_with_comment()
    assert 0xFE in hostile.jpeg_markers(original) and b"<script>" in original
    with_exif = jpeg_bytes(exif=gps_exif())
    for data in (original, with_exif):
        cleaned = uploads.check(data).data
        assert set(hostile.jpeg_markers(cleaned)) <= PIXELS_ONLY
        assert b"<script>" not in cleaned and b"PhoneMaker" not in cleaned


def test_a_long_thin_image_is_decoded_at_a_reduced_scale():
    data = hostile.long_thin_jpeg(size=(30_000, 1_000))  # its short side is below a page's
    checked = uploads.check(data)
    # Decoded at 1/8th, by its longest side: never whole (30 Mpx).
    assert Image.open(io.BytesIO(checked.data)).size == (3750, 125)


def test_a_photo_that_would_take_too_much_memory_to_decode_is_refused():
    data = hostile.progressive_jpeg(size=(6_000, 5_000))  # coefficients held whole: 180 Mo
    with pytest.raises(uploads.Refused) as refused:
        uploads.check(data)
    assert "trop grande pour être traitée" in refused.value.reason
    assert refused.value.values == {"pixels": "30"}


def test_a_phone_photo_with_a_second_view_mpo_is_kept_as_a_jpeg():
    first = Image.new("RGB", (1200, 1600), (240, 240, 230))
    buffer = io.BytesIO()
    first.save(buffer, "MPO", save_all=True, append_images=[Image.new("RGB", (1200, 1600))])
    assert Image.open(io.BytesIO(buffer.getvalue())).format == "MPO"
    checked = uploads.check(buffer.getvalue())
    stored = Image.open(io.BytesIO(checked.data))
    assert stored.format == "JPEG" and getattr(stored, "n_frames", 1) == 1
    assert stored.getpixel((10, 10))[0] > 200  # the first view
