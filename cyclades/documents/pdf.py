"""A generated document's content (content.py) printed as a tagged A4 PDF (PDF/UA-1) by
WeasyPrint, from the HTML its web page shows too (templates/documents/_document.html, in
pdf.html): a screen reader finds the same headings, lists and tables in both.

Liberation Sans 2 is embedded (subset), so every accent of the Latin, Greek and Cyrillic
alphabets prints whatever the reader has; the forms refuse what it cannot print, and what came
before that rule prints as « ? » (glyphs.py). WeasyPrint fetches nothing but these two fonts.

Chosen over the former fpdf2 path (benchmarks/confirmation_pdf.py compares them): fpdf2 wrote
no structure at all, and WeasyPrint's PDF is smaller, for some 70 ms more per document.
"""
import atexit
from functools import cache
from importlib import resources

from flask import current_app
from markupsafe import Markup, escape

from cyclades.documents import glyphs

FONTS = {"regular": "LiberationSans-Regular.ttf", "bold": "LiberationSans-Bold.ttf"}


@cache
def _fonts() -> dict[str, str]:
    """{weight: file URL} of the embedded fonts, and the only URLs the PDF may read."""
    folder = resources.files("cyclades.documents").joinpath("fonts")
    return {weight: folder.joinpath(name).resolve().as_uri() for weight, name in FONTS.items()}


@cache
def _fonts_only():
    """WeasyPrint's fetcher, refusing every URL but the fonts'."""
    from weasyprint.urls import URLFetcher

    class FontsOnly(URLFetcher):
        def fetch(self, url, headers=None):
            if url not in _fonts().values():
                raise ValueError(f"A generated document reads nothing but its fonts: {url!r}")
            return super().fetch(url, headers)

    return FontsOnly(allowed_protocols=("file",))


@cache
def _font_config():
    from weasyprint.text.fonts import FontConfiguration

    atexit.register(_font_config.cache_clear)  # freed while its library is still loaded
    return FontConfiguration()


def _printable(value):
    """Every text of the content with « ? » for a character the fonts lack (glyphs.py)."""
    if isinstance(value, str):
        return glyphs.printable(value)
    if isinstance(value, dict):
        return {key: _printable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_printable(item) for item in value]
    return value


def _page_label(page: str) -> Markup:
    """« page {page} sur {nb} » with the page counters WeasyPrint fills in."""
    return (escape(page).replace("{page}", Markup('<span class="page"></span>'))
            .replace("{nb}", Markup('<span class="pages"></span>')))


def html(content: dict) -> str:
    """The HTML the PDF is printed from (in an application context; no request needed, and no
    context processor is run: the document says only what its content says)."""
    doc = _printable(content)
    doc["page_label"] = _page_label(doc.get("page", "{page}/{nb}"))
    template = current_app.jinja_env.get_template("documents/pdf.html")
    return template.render(doc=doc, fonts=_fonts(), for_pdf=True)


def render(content: dict) -> bytes:
    """The tagged PDF/UA-1 of a document's content (in an application context)."""
    from PIL import ImageFile
    from weasyprint import HTML

    # Importing WeasyPrint made Pillow accept truncated images everywhere: the photos checked
    # for the pieces must not be (cyclades/uploads.py also turns it off before each decoding).
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    document = HTML(string=html(content), url_fetcher=_fonts_only())
    return document.write_pdf(pdf_variant="pdf/ua-1", font_config=_font_config(),
                              uncompressed_pdf=False)
