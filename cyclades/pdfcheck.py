"""A PDF judged before anyone opens it, under a budget.

It must open in pypdf to its last page, not be encrypted, and hold nothing active: no JavaScript,
no action that launches a program, submits a form or opens another file, no attached file, no
XFA form, no multimedia. A browser's viewer ignores most of these, but a gestionnaire may open
the file in a desktop reader.

Checking a file means decoding its structure (cross-reference and object streams) and its page
contents, and a file of a few kilobytes can expand to gigabytes there. So the check works under
one budget for the whole file, not per stream: decoded bytes, objects visited and time. pypdf
decodes every stream through `pypdf.filters.decode_stream_data`, looked up at each call: the
check wraps it, so each stream is decoded with at most what remains of the budget, and the
file is refused as soon as the budget is spent. Images are never decoded: their declared size
is checked instead.
"""
import io
import time
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import BinaryIO

import pypdf.filters
from pypdf import PdfReader, apply_configuration
from pypdf.errors import LimitReachedError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, StreamObject

ENCRYPTED, DAMAGED, ACTIVE, TOO_COMPLEX = "encrypted", "damaged", "active", "too_complex"

#: What the check may decode, in all, for one file. A 5 Mo scan decodes a few hundred Ko here
#: (its images are not decoded); a text PDF a few Mo.
DECODED_BYTES = 32 * 1024 * 1024
#: Of which the structure (object and cross-reference streams), which pypdf then parses in
#: Python, a byte at a time where it is blank: 3 Mo describe some 50 000 objects.
STRUCTURE_BYTES = 3 * 1024 * 1024
STRUCTURE = {"/ObjStm", "/XRef"}
#: Objects in the file: a scan holds a few dozen, a long text PDF a few thousand. pypdf reads
#: every entry of the cross-reference when it opens a file, so the count is checked first:
#: by counting "endobj" in the file, and the /Size of a cross-reference stream.
OBJECTS = 20_000
SECONDS = 1.0  #: what a legitimate 5 Mo file takes is a few tens of milliseconds
#: An image a viewer would have to hold decoded: beyond a 600 dpi colour A3 scan.
IMAGE_BYTES = 256 * 1024 * 1024

#: Actions (/S) that run something, send something or open another file.
ACTIVE_ACTIONS = {"/JavaScript", "/Launch", "/SubmitForm", "/ImportData", "/GoToR", "/GoToE",
                  "/Rendition", "/RichMediaExecute", "/Sound", "/Movie"}
#: Keys that carry scripts or attached files wherever they appear (/EF: a file specification's
#: embedded file).
ACTIVE_KEYS = {"/JS", "/JavaScript", "/EmbeddedFiles", "/EF", "/XFA"}
ACTIVE_SUBTYPES = {"/FileAttachment", "/RichMedia", "/3D", "/Sound", "/Movie"}
ACTIVE_TYPES = {"/EmbeddedFile"}


class _Spent(Exception):
    """The budget of the check is spent: the file is too complex to be checked."""


class _Active(Exception):
    """The file holds active content."""


@dataclass
class _Budget:
    deadline: float
    decoded: int = 0
    structure: int = 0
    objects: int = 0
    spent: bool = False  #: sticky: pypdf may catch an error and go on, the budget stays spent

    def left(self, structure: bool) -> int:
        left = DECODED_BYTES - self.decoded
        return min(left, STRUCTURE_BYTES - self.structure) if structure else left

    def check(self) -> None:
        if self.spent or time.monotonic() > self.deadline:
            self.spent = True
            raise _Spent

    def spend(self, decoded: int, structure: bool) -> None:
        self.decoded += decoded
        self.structure += decoded if structure else 0
        if self.decoded > DECODED_BYTES or self.structure > STRUCTURE_BYTES:
            self.spent = True
            raise _Spent


_budget: ContextVar[_Budget | None] = ContextVar("pdf_check_budget", default=None)
_decode = pypdf.filters.decode_stream_data


def _decode_within_budget(stream):
    budget = _budget.get()
    if budget is None:  # pypdf used elsewhere (building the confirmation…): as it is
        return _decode(stream)
    budget.check()
    structure = stream.get("/Type") in STRUCTURE
    if stream.get("/Type") == "/XRef" and _number(stream.get("/Size")) > OBJECTS:
        budget.spent = True
        raise _Spent
    left = max(budget.left(structure), 1)
    limits = dict(zlib_maximum_output_length=left, lzw_maximum_output_length=left,
                  run_length_maximum_output_length=left, brotli_maximum_output_length=left,
                  jbig2_maximum_output_length=left, array_based_stream_maximum_output_length=left,
                  stream_decoding_work_maximum_length=4 * DECODED_BYTES)
    try:
        with apply_configuration(**limits):
            data = _decode(stream)
    except LimitReachedError:
        budget.spent = True
        raise _Spent from None
    budget.spend(len(data), structure)
    return data


pypdf.filters.decode_stream_data = _decode_within_budget


@dataclass
class _Walk:
    budget: _Budget
    seen: set = field(default_factory=set)

    def resolve(self, obj):
        if isinstance(obj, IndirectObject):
            key = (obj.idnum, obj.generation)
            if key in self.seen:
                return None
            self.seen.add(key)
            self.budget.objects += 1
            if self.budget.objects > OBJECTS:
                self.budget.spent = True
                raise _Spent
            if self.budget.objects % 256 == 0:
                self.budget.check()
            return obj.get_object()
        return obj

    def run(self, root) -> None:
        """Every object reachable from `root`, once: refuses active content, decodes every
        stream but images (their declared size is checked instead)."""
        stack = [root]
        while stack:
            obj = self.resolve(stack.pop())
            if isinstance(obj, DictionaryObject):
                _refuse_active(obj)
                if isinstance(obj, StreamObject):
                    self._stream(obj)
                stack.extend(obj.values())
            elif isinstance(obj, ArrayObject):
                stack.extend(obj)

    def _stream(self, stream: StreamObject) -> None:
        if stream.get("/Subtype") == "/Image":
            width, height = _number(stream.get("/Width")), _number(stream.get("/Height"))
            if width * height * 4 > IMAGE_BYTES:  # up to CMYK at 8 bits a component
                self.budget.spent = True
                raise _Spent
            return
        stream.get_data()


def _number(value) -> int:
    try:
        return max(0, int(value.get_object() if isinstance(value, IndirectObject) else value))
    except (TypeError, ValueError):
        return 0


def _name(obj: DictionaryObject, key: str):
    """A value, followed when it is an indirect reference (`/S 5 0 R` is as active as
    `/S /Launch`)."""
    value = obj.get(key)
    return value.get_object() if isinstance(value, IndirectObject) else value


def _refuse_active(obj: DictionaryObject) -> None:
    if ACTIVE_KEYS.intersection(obj.keys()):
        raise _Active
    if _name(obj, "/S") in ACTIVE_ACTIONS or _name(obj, "/Subtype") in ACTIVE_SUBTYPES \
            or _name(obj, "/Type") in ACTIVE_TYPES:
        raise _Active


def _plain_objects(stream: BinaryIO) -> int:
    """How many objects the file's body holds (those outside object streams)."""
    stream.seek(0)
    count, tail = 0, b""
    while chunk := stream.read(1024 * 1024):
        count += (tail + chunk).count(b"endobj")
        tail = chunk[-5:]
    stream.seek(0)
    return count


def problem(data: bytes | BinaryIO) -> str | None:
    """None for a PDF fit to be kept; else why not: ENCRYPTED, DAMAGED (a file without the PDF
    signature too), ACTIVE or TOO_COMPLEX. `data`: bytes, or a seekable stream, never read
    whole into memory."""
    stream = io.BytesIO(data) if isinstance(data, bytes) else data
    stream.seek(0)
    if stream.read(5) != b"%PDF-":
        return DAMAGED
    stream.seek(0, io.SEEK_END)
    stream.seek(max(0, stream.tell() - 2048))
    ends_well = b"%%EOF" in stream.read()
    if _plain_objects(stream) > OBJECTS:
        return TOO_COMPLEX
    budget = _Budget(deadline=time.monotonic() + SECONDS)
    token = _budget.set(budget)
    try:
        reader = PdfReader(stream, strict=False)
        if reader.is_encrypted:
            return ENCRYPTED
        if not reader.pages or not ends_well:
            return DAMAGED
        for page in reader.pages:
            page.mediabox  # every page readable
        budget.check()
        _Walk(budget).run(reader.trailer)
    except _Active:
        return ACTIVE
    except _Spent:
        return TOO_COMPLEX
    except Exception:  # a crafted PDF can break the parser in any way: it is damaged
        return TOO_COMPLEX if budget.spent else DAMAGED
    finally:
        _budget.reset(token)
        stream.seek(0)
    return TOO_COMPLEX if budget.spent else None
