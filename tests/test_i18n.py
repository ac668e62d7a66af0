"""The English catalogue: complete, up to date with the code, compiled, faithful to placeholders;
and the pages and dates a candidate reads, in French by default and in English on request.

When a test here fails after a change of wording: run `make translations`, translate the new
entries of translations/en/LC_MESSAGES/messages.po (no empty msgstr, no fuzzy flag), and run
`make translations` again to compile."""
import re
from datetime import datetime
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from flask_babel import force_locale

from cyclades.dates import period
from tests.conftest import text

ROOT = Path(__file__).resolve().parent.parent
BABEL_CFG = ROOT / "babel.cfg"
PO = ROOT / "translations" / "en" / "LC_MESSAGES" / "messages.po"
MO = PO.with_suffix(".mo")

# The keywords of `make translations`: Babel's defaults plus -k _l -k N_.
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "N_": None}

# %(name)s, %(num)d, %(x).2f… and positional %s / %d; %% is a literal percent sign.
PLACEHOLDER = re.compile(r"%(?:%|(?:\(\w+\))?[#0\- +]*(?:\d+|\*)?(?:\.\d+)?[diouxXeEfFgGcrsa])")


def _catalog():
    with PO.open("rb") as f:
        return read_po(f, locale="en")


@pytest.fixture(scope="module")
def catalog():
    assert PO.exists(), f"{PO} is missing: run `make translations`"
    return _catalog()


def _messages(catalog):
    return [m for m in catalog if m.id]


def _key(message_id):
    """A catalogue is keyed by the singular msgid."""
    return message_id[0] if isinstance(message_id, (tuple, list)) else message_id


def _as_tuple(value):
    return tuple(value) if isinstance(value, (tuple, list)) else (value,)


def _placeholders(string):
    return sorted(p for p in PLACEHOLDER.findall(string or "") if p != "%%")


def _walk_into(dirpath):
    """Babel's default walk skips every directory whose name starts with "_", which would hide
    templates/_macros/ (the error summary, the « facultatif » note): only hidden directories
    and __pycache__ are skipped here, as `pybabel extract --ignore-dirs '.* __pycache__'` does."""
    name = Path(dirpath).name
    return not (name.startswith(".") or name == "__pycache__")


def _extract():
    """What `pybabel extract -F babel.cfg -k _l -k N_ .` should find: (msgid, context) → the
    first place it is used."""
    with BABEL_CFG.open(encoding="utf-8") as f:
        method_map, options_map = parse_mapping_cfg(f, filename=str(BABEL_CFG))
    # The Jinja extractor named explicitly, whatever entry point "jinja2" resolves to.
    method_map = [(pattern, "jinja2.ext:babel_extract" if method == "jinja2" else method)
                  for pattern, method in method_map]
    found = {}
    for filename, lineno, message, _comments, context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=KEYWORDS, strip_comment_tags=True,
            directory_filter=_walk_into):
        msgid = _key(message)
        if msgid:
            found.setdefault((msgid, context), f"{filename}:{lineno}")
    return found


# --- The catalogue ----------------------------------------------------------------------------

def test_catalogue_is_complete(catalog):
    messages = _messages(catalog)
    assert messages, "the English catalogue has no message"
    empty = [m.id for m in messages if not all(_as_tuple(m.string))]
    fuzzy = [m.id for m in messages if m.fuzzy]
    assert not empty, f"{len(empty)} message(s) without an English translation:\n" + \
        "\n".join(repr(i) for i in empty)
    assert not fuzzy, f"{len(fuzzy)} fuzzy message(s) to review:\n" + \
        "\n".join(repr(i) for i in fuzzy)
    assert not catalog.fuzzy, "the catalogue header is marked fuzzy"


def test_catalogue_is_up_to_date_with_the_code(catalog):
    extracted = _extract()
    assert len(extracted) > 100, f"the extraction found only {len(extracted)} messages"
    missing = sorted((place, msgid) for (msgid, context), place in extracted.items()
                     if catalog.get(msgid, context=context) is None)
    assert not missing, (
        f"{len(missing)} message(s) of the code not in {PO.relative_to(ROOT)} "
        "(run `make translations` and translate them):\n"
        + "\n".join(f"  {place}: {msgid!r}" for place, msgid in missing))


def test_compiled_catalogue_matches_the_po(catalog):
    assert MO.exists(), f"{MO} is missing: run `make translations`"
    with MO.open("rb") as f:
        compiled = read_mo(f)
    expected = {_as_tuple(m.id): _as_tuple(m.string) for m in _messages(catalog)
                if all(_as_tuple(m.string)) and not m.fuzzy}
    actual = {_as_tuple(m.id): _as_tuple(m.string) for m in compiled if m.id}
    missing = sorted(set(expected) - set(actual))
    stale = sorted(set(actual) - set(expected))
    different = sorted(k for k in set(expected) & set(actual) if expected[k] != actual[k])
    assert not (missing or stale or different), (
        "messages.mo is older than messages.po: run `pybabel compile -d translations` "
        f"(or `make translations`).\nnot compiled: {missing[:10]}\nno longer in the .po: "
        f"{stale[:10]}\ntranslation changed: {different[:10]}")


def test_placeholders_are_preserved(catalog):
    wrong = []
    for m in _messages(catalog):
        if isinstance(m.id, (tuple, list)):
            singular, plural = _placeholders(m.id[0]), _placeholders(m.id[1])
            allowed = set(singular) | set(plural)
            forms = _as_tuple(m.string)
            for index, form in enumerate(forms):
                found = set(_placeholders(form))
                # The singular form may leave the number out (« One file »), the plural may not.
                ok = found <= allowed and (index < len(forms) - 1 or found == set(plural))
                if not ok:
                    wrong.append((m.id, index, form))
        elif set(_placeholders(m.id)) != set(_placeholders(m.string)):
            wrong.append((m.id, m.string))
    assert not wrong, "placeholders differ between msgid and msgstr:\n" + \
        "\n".join(repr(w) for w in wrong)


def test_python_format_translations_can_be_formatted(catalog):
    """A stray « % » (for « 200 % », write « 200 %% ») would break the page at render time."""
    broken = []
    for m in _messages(catalog):
        if not m.python_format:
            continue
        for form in _as_tuple(m.string):
            names = re.findall(r"%\((\w+)\)", form)
            values = {name: 1 for name in names}
            try:
                form % values if names else form % ()
            except (TypeError, ValueError, KeyError) as error:
                broken.append((m.id, form, str(error)))
    assert not broken, "translations that cannot be formatted:\n" + \
        "\n".join(repr(b) for b in broken)


# --- Pages ------------------------------------------------------------------------------------

def test_home_page_in_english_on_request(client):
    response = client.get("/", headers={"Accept-Language": "en"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<html lang="en"' in html
    page = text(response)
    assert "Create my account" in page
    assert "Registration of individual candidates for vocational exams" in page
    assert "Créer mon compte" not in page


def test_home_page_in_french_by_default(client):
    for headers in ({"Accept-Language": "fr"}, {}):
        response = client.get("/", headers=headers)
        assert response.status_code == 200
        assert '<html lang="fr"' in response.get_data(as_text=True)
        page = text(response)
        assert "Créer mon compte" in page
        assert "Create my account" not in page


def test_language_chosen_in_the_footer_wins_over_the_browser(client):
    response = client.submit("/langue", {"lang": "en", "next": "/"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/")

    response = client.get("/", headers={"Accept-Language": "fr"})
    assert '<html lang="en"' in response.get_data(as_text=True)
    assert "Create my account" in text(response)
    response = client.get("/aide", headers={"Accept-Language": "fr"})
    assert response.status_code == 200
    assert "I need help" in text(response)

    client.submit("/langue", {"lang": "fr", "next": "/"})
    response = client.get("/", headers={"Accept-Language": "en"})
    assert '<html lang="fr"' in response.get_data(as_text=True)
    assert "Créer mon compte" in text(response)


def test_form_errors_in_english(client):
    """The error summary and the « facultatif » note live in templates/_macros/."""
    response = client.submit("/compte/creer", {"email": "x"}, page="/compte/creer",
                             headers={"Accept-Language": "en"})
    assert response.status_code == 422
    page = text(response)
    assert re.search(r"\b\d+ errors are preventing the form from being sent:", page)
    assert "All fields are required, except those marked “optional”." in page
    assert "Enter a valid email address, for example name.surname@domain.fr." in page
    assert "empêchent l'envoi" not in page


def test_percent_sign_is_rendered_once_in_english(client):
    page = text(client.get("/accessibilite", headers={"Accept-Language": "en"}))
    assert "200%" in page
    assert "200%%" not in page


# --- Dates ------------------------------------------------------------------------------------

OPENS = datetime(2024, 11, 4, 14, 0)     # UTC: 15 h in Paris (winter time)
CLOSES = datetime(2024, 12, 3, 16, 0)    # UTC: 17 h in Paris
OPENS_HALF = datetime(2024, 11, 4, 8, 30)  # UTC: 9 h 30 in Paris


def _plain(string):
    return re.sub(r"[\s\u00a0\u202f]+", " ", string)


def test_dates_are_in_french_by_default(app):
    with app.test_request_context("/"):
        assert period(OPENS, CLOSES, "Europe/Paris") == (
            "du lundi 4 novembre 2024 à 15:00 au mardi 3 décembre 2024 à 17:00 (heure locale)")
        assert period(OPENS_HALF, CLOSES, "Europe/Paris") == (
            "du lundi 4 novembre 2024 à 09:30 au mardi 3 décembre 2024 à 17:00 (heure locale)")


def test_dates_in_english(app):
    with app.test_request_context("/"), force_locale("en"):
        assert _plain(period(OPENS, CLOSES, "Europe/Paris")) == (
            "from Monday, November 4, 2024 at 3:00 PM to Tuesday, December 3, 2024 at 5:00 PM "
            "(local time)")
        assert _plain(period(OPENS_HALF, CLOSES, "Europe/Paris")) == (
            "from Monday, November 4, 2024 at 9:30 AM to Tuesday, December 3, 2024 at 5:00 PM "
            "(local time)")
