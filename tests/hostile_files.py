"""Hostile files, made byte by byte as an attacker would: PDFs whose few kilobytes expand to
gigabytes, PDFs that carry scripts or attached files, JPEGs that would take gigabytes to decode
or carry a payload in a comment. Used by the tests and by benchmarks/hostile_files.py."""
import io
import zlib

from PIL import Image
from pypdf import PdfWriter
from pypdf.generic import (
    ArrayObject, DictionaryObject, NameObject, NumberObject, TextStringObject,
)


def _deflate_twice(data: bytes) -> bytes:
    """Deflate of deflate: a run of spaces shrinks about a thousand times each pass."""
    return zlib.compress(zlib.compress(data, 9), 9)


def _padding(size: int) -> bytes:
    return b" " * size


class _Writer:
    """A PDF 1.5 written by hand, with a cross-reference stream (needed for object streams)."""

    def __init__(self):
        self.out = io.BytesIO()
        self.out.write(b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
        self.plain = {}  # id -> offset
        self.packed = {}  # id -> (stream id, index)

    def obj(self, number: int, body: bytes, stream: bytes | None = None) -> None:
        self.plain[number] = self.out.tell()
        self.out.write(b"%d 0 obj\n" % number + body)
        if stream is not None:
            self.out.write(b"\nstream\n" + stream + b"\nendstream")
        self.out.write(b"\nendobj\n")

    def object_stream(self, number: int, members: dict[int, bytes], padding: int) -> None:
        """Object stream `number` holding `members` ({id: body}), then `padding` spaces, each
        deflated twice."""
        header, bodies, length = [], [], 0
        for index, (member, body) in enumerate(members.items()):
            header.append(b"%d %d" % (member, length))
            bodies.append(body + b" ")
            length += len(body) + 1
            self.packed[member] = (number, index)
        header = b" ".join(header) + b"\n"
        data = _deflate_twice(header + b"".join(bodies) + _padding(padding))
        self.obj(number, b"<< /Type /ObjStm /N %d /First %d /Length %d "
                         b"/Filter [/FlateDecode /FlateDecode] >>"
                 % (len(members), len(header), len(data)), data)

    def finish(self, root: int) -> bytes:
        size = max([*self.plain, *self.packed]) + 2
        xref_id = size - 1
        offset = self.out.tell()
        self.plain[xref_id] = offset
        rows = []
        for number in range(size):
            if number in self.plain:
                rows.append(b"\x01" + self.plain[number].to_bytes(4, "big") + b"\x00\x00")
            elif number in self.packed:
                stream, index = self.packed[number]
                rows.append(b"\x02" + stream.to_bytes(4, "big") + index.to_bytes(2, "big"))
            else:
                rows.append(b"\x00\x00\x00\x00\x00\xff\xff")
        rows = b"".join(rows)
        data = zlib.compress(rows)
        self.out.write(b"%d 0 obj\n<< /Type /XRef /Size %d /Root %d 0 R /W [1 4 2] "
                       b"/Filter /FlateDecode /Length %d >>\nstream\n"
                       % (xref_id, size, root, len(data)) + data + b"\nendstream\nendobj\n")
        self.out.write(b"startxref\n%d\n%%%%EOF\n" % offset)
        return self.out.getvalue()


def object_stream_bomb(pages=40, expands_to=40 * 1024 * 1024) -> bytes:
    """Each page lives in its own object stream, padded to `expands_to` bytes once decoded:
    opening the pages decodes them all (pages × expands_to)."""
    writer = _Writer()
    writer.obj(1, b"<< /Type /Catalog /Pages 2 0 R >>")
    kids = b" ".join(b"%d 0 R" % (10 + n) for n in range(pages))
    writer.obj(2, b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, pages))
    for n in range(pages):
        writer.object_stream(1000 + n, {10 + n: b"<< /Type /Page /Parent 2 0 R "
                                                b"/MediaBox [0 0 595 842] >>"}, expands_to)
    return writer.finish(root=1)


def content_bomb(expands_to=512 * 1024 * 1024) -> bytes:
    """One page whose content stream expands to `expands_to` bytes: what a reader must decode
    to show it."""
    writer = _Writer()
    writer.obj(1, b"<< /Type /Catalog /Pages 2 0 R >>")
    writer.obj(2, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
    writer.obj(3, b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>")
    data = _deflate_twice(b"BT /F1 12 Tf (x) Tj ET\n" + _padding(expands_to))
    writer.obj(4, b"<< /Length %d /Filter [/FlateDecode /FlateDecode] >>" % len(data), data)
    return writer.finish(root=1)


def image_bomb() -> bytes:
    """An image that declares 100 000 × 100 000 pixels (30 Go to display)."""
    writer = _Writer()
    writer.obj(1, b"<< /Type /Catalog /Pages 2 0 R >>")
    writer.obj(2, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
    writer.obj(3, b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
                  b"/Resources << /XObject << /Im1 4 0 R >> >> /Contents 5 0 R >>")
    image = zlib.compress(b"\x00" * 1000)
    writer.obj(4, b"<< /Type /XObject /Subtype /Image /Width 100000 /Height 100000 "
                  b"/ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /FlateDecode "
                  b"/Length %d >>" % len(image), image)
    content = b"q 595 0 0 842 0 0 cm /Im1 Do Q"
    writer.obj(5, b"<< /Length %d >>" % len(content), content)
    return writer.finish(root=1)


def many_objects(count=300_000) -> bytes:
    """A page pointing at `count` tiny objects: cheap to send, long to walk."""
    writer = _Writer()
    writer.obj(1, b"<< /Type /Catalog /Pages 2 0 R >>")
    writer.obj(2, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
    writer.obj(3, b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Extra 4 0 R >>")
    chunk = 5000
    for first in range(0, count, chunk):
        members = {}
        for n in range(first, min(first + chunk, count)):
            following = b"%d 0 R" % (10 + n + 1) if n + 1 < count else b"null"
            members[10 + n] = b"[%s]" % following
        writer.object_stream(1_000_000 + first // chunk, members, 0)
    writer.obj(4, b"[10 0 R]")
    return writer.finish(root=1)


# --- Active PDFs (made with pypdf, as a real tool writes them) --------------------------------

def _writer_with_page() -> PdfWriter:
    from tests.test_uploads import pdf_bytes

    return PdfWriter(clone_from=io.BytesIO(pdf_bytes()))


def _bytes(writer: PdfWriter) -> bytes:
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _action(kind: str, **entries) -> DictionaryObject:
    action = DictionaryObject({NameObject("/Type"): NameObject("/Action"),
                               NameObject("/S"): NameObject(kind)})
    for key, value in entries.items():
        action[NameObject(f"/{key}")] = value
    return action


def with_javascript() -> bytes:
    """A document-level script (the /JavaScript name tree), run when the file opens."""
    writer = _writer_with_page()
    action = writer._add_object(_action("/JavaScript", JS=TextStringObject("app.alert(1);")))
    writer._root_object[NameObject("/Names")] = DictionaryObject({
        NameObject("/JavaScript"): DictionaryObject({
            NameObject("/Names"): ArrayObject([TextStringObject("bonjour"), action])})})
    return _bytes(writer)


def with_attachment() -> bytes:
    writer = _writer_with_page()
    writer.add_attachment("facture.exe", b"MZ\x90\x00")
    return _bytes(writer)


def with_launch_on_open() -> bytes:
    writer = _writer_with_page()
    writer._root_object[NameObject("/OpenAction")] = writer._add_object(
        _action("/Launch", F=TextStringObject("cmd.exe")))
    return _bytes(writer)


def with_indirect_launch() -> bytes:
    """The action's kind given by reference (`/S 5 0 R`): a naive check reads no /Launch."""
    writer = _writer_with_page()
    kind = writer._add_object(NameObject("/Launch"))
    action = DictionaryObject({NameObject("/Type"): NameObject("/Action"), NameObject("/S"): kind,
                               NameObject("/F"): TextStringObject("cmd.exe")})
    writer._root_object[NameObject("/OpenAction")] = writer._add_object(action)
    return _bytes(writer)


def with_attachment_annotation() -> bytes:
    """A file attached to the page (an annotation whose file specification embeds it), its
    subtype given by reference."""
    from pypdf.generic import DecodedStreamObject

    writer = _writer_with_page()
    embedded = DecodedStreamObject()
    embedded.set_data(b"MZ\x90\x00")
    specification = DictionaryObject({NameObject("/Type"): NameObject("/Filespec"),
                                      NameObject("/F"): TextStringObject("facture.exe"),
                                      NameObject("/EF"): DictionaryObject({
                                          NameObject("/F"): writer._add_object(embedded)})})
    annotation = DictionaryObject({
        NameObject("/Type"): NameObject("/Annot"),
        NameObject("/Subtype"): writer._add_object(NameObject("/FileAttachment")),
        NameObject("/Rect"): ArrayObject([NumberObject(n) for n in (10, 10, 30, 30)]),
        NameObject("/FS"): writer._add_object(specification)})
    writer.pages[0][NameObject("/Annots")] = ArrayObject([writer._add_object(annotation)])
    return _bytes(writer)


def with_page_script() -> bytes:
    """A script run when the page opens (additional actions of the page)."""
    writer = _writer_with_page()
    action = _action("/JavaScript", JS=TextStringObject("this.print();"))
    writer.pages[0][NameObject("/AA")] = DictionaryObject({NameObject("/O"): action})
    return _bytes(writer)


def with_xfa_form() -> bytes:
    writer = _writer_with_page()
    writer._root_object[NameObject("/AcroForm")] = DictionaryObject({
        NameObject("/Fields"): ArrayObject(),
        NameObject("/XFA"): TextStringObject("<xdp:xdp/>")})
    return _bytes(writer)


def with_harmless_open_action_and_link() -> bytes:
    """What ordinary tools write: open on page 1 at full width, and a web link."""
    writer = _writer_with_page()
    page = writer.pages[0].indirect_reference
    writer._root_object[NameObject("/OpenAction")] = ArrayObject([page, NameObject("/FitH"),
                                                                 NumberObject(842)])
    from pypdf.annotations import Link
    writer.add_annotation(0, Link(rect=(50, 50, 200, 70), url="https://www.education.gouv.fr"))
    return _bytes(writer)


# --- JPEGs ------------------------------------------------------------------------------------

def long_thin_jpeg(size=(65_000, 1_840)) -> bytes:
    """Under the pixel cap, but whole it takes hundreds of Mo to decode."""
    buffer = io.BytesIO()
    Image.new("L", size, 200).save(buffer, "JPEG", quality=30)
    return buffer.getvalue()


def progressive_jpeg(size=(11_000, 9_000)) -> bytes:
    """A progressive JPEG: libjpeg keeps the coefficients of the whole image whatever the
    scale it decodes at."""
    buffer = io.BytesIO()
    Image.new("RGB", size, (240, 240, 230)).save(buffer, "JPEG", quality=30, progressive=True,
                                                  subsampling=0)
    return buffer.getvalue()


def jpeg_with_comment(comment=b"<html><script>alert(document.cookie)</script></html>") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (800, 600), (240, 240, 230)).save(buffer, "JPEG", comment=comment)
    return buffer.getvalue()


def jpeg_markers(data: bytes) -> list[int]:
    """The markers of a JPEG's segments, in order, up to the image data."""
    markers, position = [], 2
    while position < len(data) - 1:
        if data[position] != 0xFF:
            break
        marker = data[position + 1]
        markers.append(marker)
        if marker == 0xDA:  # start of scan: the pixels follow
            break
        length = int.from_bytes(data[position + 2:position + 4], "big")
        position += 2 + length
    return markers
