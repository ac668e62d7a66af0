"""The former path of the generated documents, kept only for benchmarks/confirmation_pdf.py to
compare with WeasyPrint's (cyclades/documents/pdf.py): the content printed as an A4 PDF with
fpdf2, drawn cell by cell, with no structure for a screen reader (no tags).

Liberation Sans 2 is embedded (subset), so every accent of the Latin, Greek and Cyrillic
alphabets prints whatever the reader has; the forms refuse what it cannot print (glyphs.py).
Black text, thin rules and a light grey only for headings: it reads the same printed in black
and white or photographed by a phone.
"""
from importlib import resources

from fpdf import FPDF
from fpdf.fonts import FontFace

from cyclades.documents.pdf import _printable  # the same « ? » for what the fonts lack

FONT = "LiberationSans"
MARGIN = 16
HEADINGS = FontFace(emphasis="BOLD", fill_color=(230, 230, 230))


class _Pdf(FPDF):
    def __init__(self, content: dict):
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.content = content
        fonts = resources.files("cyclades.documents").joinpath("fonts")  # the same fonts
        self.add_font(FONT, "", str(fonts.joinpath("LiberationSans-Regular.ttf")))
        self.add_font(FONT, "B", str(fonts.joinpath("LiberationSans-Bold.ttf")))
        self.set_margins(MARGIN, 14, MARGIN)
        self.set_auto_page_break(True, margin=16)
        self.set_lang("fr")
        self.set_title(content["title"])
        self.set_subject(content.get("subtitle", ""))
        self.set_author("Cyclades libre")
        self.set_creator("Cyclades libre")

    def footer(self):
        self.set_y(-11)
        self.set_font(FONT, "", 8)
        page = self.content.get("page", "{page}/{nb}").replace("{page}", str(self.page_no()))
        self.cell(0, 4, f"{self.content.get('footer', '')} – {page}", align="C")


def _text(pdf, text, size=10, style="", height=5, align="L"):
    pdf.set_font(FONT, style, size)
    pdf.multi_cell(0, height, text, align=align, new_x="LMARGIN", new_y="NEXT")


def _rows(pdf, rows):
    pdf.set_font(FONT, "", 10)
    with pdf.table(col_widths=(38, 62), first_row_as_headings=False, line_height=5,
                   text_align="LEFT", borders_layout="HORIZONTAL_LINES", padding=1.2) as table:
        for label, value in rows:
            row = table.row()
            row.cell(label, style=FontFace(emphasis="BOLD"))
            row.cell(str(value))


def _table(pdf, table_data):
    _text(pdf, table_data["caption"], size=10, style="B")
    pdf.set_font(FONT, "", 9)
    widths = table_data.get("widths") or (52, 16, 12, 30)
    with pdf.table(col_widths=widths, headings_style=HEADINGS, line_height=4.6,
                   text_align="LEFT", borders_layout="ALL", padding=1.2,
                   repeat_headings=1) as table:
        table.row(table_data["columns"])
        for cells in table_data["rows"]:
            table.row([str(c) for c in cells])
    pdf.ln(2)


def _signature(pdf, label):
    height = 32
    if pdf.will_page_break(height + 8):
        pdf.add_page()
    pdf.ln(3)
    x, y = pdf.get_x(), pdf.get_y()
    width = pdf.epw / 2
    pdf.set_line_width(0.4)
    pdf.rect(pdf.l_margin + pdf.epw - width, y, width, height)
    pdf.set_xy(pdf.l_margin + pdf.epw - width + 2, y + 2)
    pdf.set_font(FONT, "B", 10)
    pdf.cell(width - 4, 5, label)
    pdf.set_xy(x, y + height + 2)


def render(content: dict) -> bytes:
    content = _printable(content)
    pdf = _Pdf(content)
    pdf.add_page()
    pdf.set_font(FONT, "", 9)
    for number, line in enumerate(content.get("header", [])):
        _text(pdf, line, size=10 if number == 0 else 9, style="B" if number == 0 else "",
              height=4.4)
    pdf.ln(4)
    _text(pdf, content["title"], size=17, style="B", height=8, align="C")
    if content.get("subtitle"):
        _text(pdf, content["subtitle"], size=12, height=6, align="C")
    pdf.ln(3)
    _rows(pdf, content.get("meta", []))
    for section in content.get("sections", []):
        if pdf.will_page_break(22):
            pdf.add_page()
        pdf.ln(3)
        _text(pdf, section["title"], size=12, style="B", height=6)
        pdf.set_draw_color(0)
        pdf.line(pdf.l_margin, pdf.get_y(), pdf.l_margin + pdf.epw, pdf.get_y())
        pdf.ln(1.5)
        if section.get("rows"):
            _rows(pdf, section["rows"])
            pdf.ln(1)
        for table_data in section.get("tables", []):
            _table(pdf, table_data)
        for paragraph in section.get("paragraphs", []):
            _text(pdf, paragraph)
            pdf.ln(1)
    if content.get("signature"):
        _signature(pdf, content["signature"])
    return bytes(pdf.output())
