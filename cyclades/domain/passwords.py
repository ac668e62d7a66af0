"""R2: 8 to 20 characters with at least one upper case, one lower case and one special
character; and, beyond the notice, none of the passwords that attackers try first."""
import re
import unicodedata
from functools import lru_cache
from importlib import resources

from cyclades.domain import N_

MIN_LENGTH, MAX_LENGTH = 8, 20

CRITERIA = (
    (N_("Le mot de passe doit comporter entre 8 et 20 caractères."),
     lambda p: MIN_LENGTH <= len(p) <= MAX_LENGTH),
    (N_("Le mot de passe doit contenir au moins une lettre majuscule."),
     lambda p: any(c.isupper() for c in p)),
    (N_("Le mot de passe doit contenir au moins une lettre minuscule."),
     lambda p: any(c.islower() for c in p)),
    (N_("Le mot de passe doit contenir au moins un caractère spécial (par exemple . / * ! ? -)."),
     lambda p: any(not c.isalnum() and not c.isspace() for c in p)),
)


@lru_cache(maxsize=1)
def _common_words() -> frozenset:
    text = resources.files("cyclades.data").joinpath("common_passwords.txt").read_text("utf-8")
    return frozenset(line.strip().casefold() for line in text.splitlines()
                     if line.strip() and not line.startswith("#"))


_LEET = str.maketrans("@4310$5", "aaeioss")


def _core(password: str) -> str:
    """"Azerty123!" → "azerty", "P@ssw0rd!" → "password": what is left once the digits and
    symbols around it go, with the usual letter look-alikes read back as letters."""
    folded = unicodedata.normalize("NFKD", password.casefold())
    letters = "".join(c for c in folded if not unicodedata.combining(c))
    return re.sub(r"^[\W\d_]+|[\W\d_]+$", "", letters).translate(_LEET)


def unmet_criteria(password: str) -> list[str]:
    """The R2 criteria the password misses, in the order the form states them."""
    return [label for label, test in CRITERIA if not test(password)]


def is_common(password: str, personal: tuple[str, ...] = ()) -> bool:
    """True for a well-known password, or one built on the person's own name or address."""
    core = _core(password)
    if core in _common_words() or password.casefold() in _common_words():
        return True
    personal_cores = {_core(part) for value in personal for part in re.split(r"[\s@.\-']+", value)}
    return any(len(p) >= 3 and p in core for p in personal_cores)


def problems(password: str, personal: tuple[str, ...] = ()) -> list[str]:
    unmet = unmet_criteria(password)
    if unmet:
        return unmet
    if is_common(password, personal):
        return [N_("Ce mot de passe est trop courant ou trop proche de votre nom ou de votre "
                   "adresse mail : choisissez-en un autre.")]
    return []


#: A gestionnaire's password (more than R2: they open every candidature of an académie).
STAFF_MIN_LENGTH, STAFF_MAX_LENGTH = 12, 128


def staff_problems(password: str, personal: tuple[str, ...] = ()) -> list[str]:
    """What is wrong with a gestionnaire's password: at least 12 characters, none of the
    passwords attackers try first nor one built on the person's name or address, no run of one
    character or of a keyboard or alphabet sequence that makes most of it."""
    if not STAFF_MIN_LENGTH <= len(password) <= STAFF_MAX_LENGTH:
        return [N_("Le mot de passe doit comporter au moins 12 caractères (128 au plus).")]
    folded = password.casefold()
    distinct = len(set(folded))
    if (is_common(password, personal) or distinct < 5
            or any(run in folded for run in _SEQUENCES)):
        return [N_("Ce mot de passe ressemble à ceux que les attaquants essaient d'abord (mot "
                   "courant, suite de touches, votre nom ou votre adresse) : choisissez-en un "
                   "autre, par exemple quatre mots sans rapport entre eux.")]
    return []


#: Sequences that make a password look random when it is not (six characters of them).
_SEQUENCES = tuple(
    row[i:i + 6] for row in ("azertyuiop", "qsdfghjklm", "wxcvbn", "qwertyuiop", "asdfghjkl",
                             "zxcvbnm", "abcdefghijklmnopqrstuvwxyz", "01234567890",
                             "9876543210")
    for i in range(len(row) - 5))
