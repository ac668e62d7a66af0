"""Validators shared by the forms of both sides."""
import unicodedata

from wtforms.validators import StopValidation

from cyclades.documents.glyphs import unprintable
from cyclades.i18n import lazy_gettext as _l


def printable(form, field):
    """What the official documents print (the confirmation d'inscription, the convocation):
    a character their fonts lack would be missing from them, so it is refused where it is
    typed, with the characters named. A one-line field takes no line break nor other control
    character (a browser sends none; a crafted request would print them as nothing)."""
    text = field.data if isinstance(field.data, str) else ""
    if any(unicodedata.category(c) in ("Cc", "Zl", "Zp") for c in text):
        raise StopValidation(_l("Ce champ contient des caractères invisibles (retour à la "
                                "ligne, tabulation…) : retirez-les."))
    missing = unprintable(text)
    if missing:
        raise StopValidation(_l(
            "Ces caractères ne peuvent pas être imprimés sur les documents officiels : "
            "%(characters)s. Écrivez en lettres latines (les accents sont acceptés), comme sur "
            "vos papiers français, ou retirez-les.",
            characters=", ".join(f"« {c} »" for c in missing)))
