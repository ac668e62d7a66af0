"""Identity data as the account holds it: names cleaned the same way everywhere, countries."""
import re
import unicodedata

from babel import Locale

#: Codes Babel lists that are not countries one can be born in.
_NOT_COUNTRIES = {"EU", "EZ", "UN", "QO", "XA", "XB", "ZZ"}


def normalise_name(value: str) -> str:
    """NFC, typographic apostrophes made plain, control characters dropped, spaces collapsed."""
    value = unicodedata.normalize("NFC", value).replace("’", "'").replace("ʼ", "'")
    value = "".join(c for c in value if unicodedata.category(c)[0] != "C" or c == " ")
    return re.sub(r"\s+", " ", value).strip()


def search_key(value: str) -> str:
    """« Lefèvre-Œuvrard » → « lefevre oeuvrard »: what a search for a name compares, whatever
    the accents, capitals, hyphens and apostrophes typed."""
    folded = unicodedata.normalize("NFKD", (value or "").casefold().replace("œ", "oe")
                                   .replace("æ", "ae").replace("ß", "ss"))
    letters = "".join(c for c in folded if not unicodedata.combining(c))
    return re.sub(r"[\s'\-]+", " ", letters).strip()


def countries(locale) -> list[tuple[str, str]]:
    """(code, name) of every country, France first, then in alphabetical order (accents ignored)."""
    names = Locale.parse(str(locale)).territories
    pairs = [(code, name) for code, name in names.items()
             if len(code) == 2 and code.isalpha() and code not in _NOT_COUNTRIES]

    def key(pair):
        folded = unicodedata.normalize("NFKD", pair[1].casefold())
        return "".join(c for c in folded if not unicodedata.combining(c))

    pairs.sort(key=lambda p: (p[0] != "FR", key(p)))
    return pairs


def country_name(code: str, locale) -> str:
    return Locale.parse(str(locale)).territories.get(code, code)
