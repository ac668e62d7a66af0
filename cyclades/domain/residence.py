"""R20: a candidate registers in the académie of residence, which the postal code tells."""
import re
import tomllib
from functools import lru_cache
from importlib import resources


@lru_cache(maxsize=1)
def departement_table() -> dict[str, str]:
    """{département: académie code}, from cyclades/data/departements.toml."""
    text = resources.files("cyclades.data").joinpath("departements.toml").read_text("utf-8")
    return {dep: academie for academie, deps in tomllib.loads(text)["academies"].items()
            for dep in deps}


def departement(postal_code: str) -> str | None:
    """"63000" → "63", "20090" → "2A", "20200" → "2B", "97411" → "974"; None if not a code."""
    code = (postal_code or "").strip().replace(" ", "")
    if not re.fullmatch(r"\d{5}", code):
        return None
    if code.startswith("20"):
        return "2A" if int(code) < 20200 else "2B"
    if code.startswith(("97", "98")):
        return code[:3]
    return code[:2]


def academie_of(postal_code: str, table: dict | None = None) -> str | None:
    """The académie code of residence for a French postal code, else None."""
    dep = departement(postal_code)
    return (table or departement_table()).get(dep) if dep else None
