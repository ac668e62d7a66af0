"""The épreuves a candidature registers for (R26). For now, every obligatory épreuve of the exam
is « Inscrit »; bénéfices, dispenses and choices come with the Acquis and Epreuves rules."""
import tomllib
from functools import lru_cache
from importlib import resources

from cyclades.domain import N_

KIND_LABELS = {"ecrite": N_("Écrite"), "orale": N_("Orale"), "pratique": N_("Pratique"),
               "ecrite et orale": N_("Écrite et orale")}


@lru_cache(maxsize=1)
def _table() -> dict:
    text = resources.files("cyclades.data").joinpath("epreuves.toml").read_text("utf-8")
    return tomllib.loads(text)


def obligatory(exam_code: str) -> list[dict]:
    """[{code, title, kind, status}] with status "inscrit" for each obligatory épreuve."""
    return [{**epreuve, "status": "inscrit"} for epreuve in _table().get(exam_code, {}).get("epreuves", [])]
