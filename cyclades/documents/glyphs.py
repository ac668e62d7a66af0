"""What the official documents can print: the characters the embedded fonts draw.

fpdf2 only logs a character its font lacks and prints nothing in its place, so a name in a script
the font does not cover (王, محمد) or an emoji would vanish from the confirmation d'inscription.
The forms refuse such characters where they are typed (`unprintable`), and the PDF prints a
visible « ? » for any that reached the database before (`printable`), never a blank.
"""
import logging
import unicodedata
from functools import cache
from importlib import resources

FONTS = ("LiberationSans-Regular.ttf", "LiberationSans-Bold.ttf")

log = logging.getLogger(__name__)


@cache
def _covered() -> frozenset[int]:
    """The code points every embedded font (regular and bold) draws."""
    from fontTools.ttLib import TTFont

    folder = resources.files("cyclades.documents").joinpath("fonts")
    sets = []
    for name in FONTS:
        with resources.as_file(folder.joinpath(name)) as path:
            sets.append(set(TTFont(str(path), lazy=True).getBestCmap()))
    return frozenset(set.intersection(*sets))


def _drawn(character: str) -> bool:
    return ord(character) in _covered() or unicodedata.category(character) in ("Cc", "Zl", "Zp")


def unprintable(text: str) -> list[str]:
    """The distinct characters of `text` the documents cannot print, in order of appearance."""
    found = []
    for character in unicodedata.normalize("NFC", text or ""):
        if not _drawn(character) and character not in found:
            found.append(character)
    return found


def printable(text: str) -> str:
    """`text` with « ? » for each character the fonts lack (logged: it should not happen)."""
    text = unicodedata.normalize("NFC", text)
    if all(_drawn(c) for c in text):
        return text
    log.warning("Caractères non imprimables remplacés par « ? » : %r", unprintable(text))
    return "".join(c if _drawn(c) else "?" for c in text)
