"""The portal's RGAA 4.1 self-audit (cyclades/data/rgaa_audit.toml) and what it makes the
accessibility statement and the footer say.

The file lists the 106 criteria, each C (conforme), NC (non conforme) or NA (non applicable)
with its reason. As RGAA defines them: the rate is C / (C + NC), the criteria that apply to no
page left out; the portal is « totalement conforme » at 100 %, « partiellement conforme » at
50 % or more, « non conforme » below, and also when no audit is valid any more (three years
after it). The file is read once per process; the state is worked out at each call (a date
comparison) so that an audit that expires is seen without a restart.
"""
import tomllib
from collections import Counter
from dataclasses import dataclass
from datetime import date
from functools import cache, cached_property
from importlib import resources

from cyclades.domain import N_
from cyclades.i18n import gettext

AUDIT_FILE = resources.files("cyclades.data").joinpath("rgaa_audit.toml")

#: RGAA 4.1: its themes and how many criteria each has (106 in all).
THEMES = {1: N_("Images"), 2: N_("Cadres"), 3: N_("Couleurs"), 4: N_("Multimédia"),
          5: N_("Tableaux"), 6: N_("Liens"), 7: N_("Scripts"), 8: N_("Éléments obligatoires"),
          9: N_("Structuration de l'information"), 10: N_("Présentation de l'information"),
          11: N_("Formulaires"), 12: N_("Navigation"), 13: N_("Consultation")}
CRITERIA_PER_THEME = {1: 9, 2: 2, 3: 3, 4: 13, 5: 8, 6: 2, 7: 5, 8: 10, 9: 4, 10: 14, 11: 13,
                      12: 11, 13: 12}
CRITERIA = [f"{theme}.{n}" for theme, count in CRITERIA_PER_THEME.items()
            for n in range(1, count + 1)]

CONFORME, NON_CONFORME, NON_APPLICABLE = "C", "NC", "NA"
VERDICTS = (CONFORME, NON_CONFORME, NON_APPLICABLE)

#: The three states RGAA allows, and the mention the footer of every page must show.
TOTAL, PARTIAL, NONE = "totalement", "partiellement", "non"
MENTIONS = {TOTAL: N_("Accessibilité : totalement conforme"),
            PARTIAL: N_("Accessibilité : partiellement conforme"),
            NONE: N_("Accessibilité : non conforme")}

#: A statement must be brought up to date three years after it was made, at the latest.
VALIDITY_YEARS = 3


@dataclass(frozen=True)
class Criterion:
    number: str   #: « 8.7 »
    title: str    #: the official question of RGAA 4.1, in French
    verdict: str  #: C, NC or NA
    reason: str   #: why, in French, in one or two sentences

    @property
    def theme(self) -> int:
        return int(self.number.split(".")[0])


@dataclass(frozen=True)
class ThemeResult:
    number: int
    label: str  #: to translate where it is shown
    conforme: int
    non_conforme: int
    non_applicable: int


@dataclass(frozen=True)
class Audit:
    date: date
    independent: bool
    method: str
    environment: list[str]
    not_tested: list[str]
    tools: list[str]
    pages: list[dict]  #: {"nom": …, "adresse": …}
    criteria: list[Criterion]

    # The figures are counted once (the footer of every page asks for the state).
    @cached_property
    def counts(self) -> Counter:
        return Counter(c.verdict for c in self.criteria)

    @property
    def conforme(self) -> int:
        return self.counts[CONFORME]

    @property
    def applicable(self) -> int:
        return self.counts[CONFORME] + self.counts[NON_CONFORME]

    @property
    def non_applicable(self) -> int:
        return self.counts[NON_APPLICABLE]

    @cached_property
    def non_conformities(self) -> list[Criterion]:
        return [c for c in self.criteria if c.verdict == NON_CONFORME]

    @cached_property
    def rate(self) -> float:
        """The percentage of applicable criteria respected, rounded down to a tenth: the page
        never says 100 % of a portal with one criterion not met."""
        if not self.applicable:
            return 0.0
        return (1000 * self.conforme // self.applicable) / 10

    @property
    def valid_until(self) -> date:
        try:
            return self.date.replace(year=self.date.year + VALIDITY_YEARS)
        except ValueError:  # 29 February
            return self.date.replace(year=self.date.year + VALIDITY_YEARS, day=28)

    def expired(self, today: date | None = None) -> bool:
        return (today or date.today()) >= self.valid_until

    def state(self, today: date | None = None) -> str:
        if self.expired(today) or not self.applicable:
            return NONE
        if self.conforme == self.applicable:
            return TOTAL
        return PARTIAL if 2 * self.conforme >= self.applicable else NONE

    def themes(self) -> list[ThemeResult]:
        return [ThemeResult(number, label,
                            *(sum(1 for c in self.criteria
                                  if c.theme == number and c.verdict == verdict)
                              for verdict in VERDICTS))
                for number, label in THEMES.items()]


def load(text: str) -> Audit:
    """The audit of a TOML text; a grid that misses a criterion, repeats one, or gives one no
    verdict or no reason is refused (ValueError): the figures would be wrong."""
    data = tomllib.loads(text)
    meta = data["audit"]
    criteria = [Criterion(str(row["numero"]), row["titre"].strip(), row["verdict"],
                          row["raison"].strip()) for row in data.get("critere", [])]
    numbers = [c.number for c in criteria]
    if sorted(numbers) != sorted(CRITERIA) or len(set(numbers)) != len(numbers):
        missing = sorted(set(CRITERIA) - set(numbers))
        extra = sorted({n for n in numbers if numbers.count(n) > 1 or n not in CRITERIA})
        raise ValueError(f"La grille RGAA doit lister les {len(CRITERIA)} critères une fois "
                         f"chacun : manquent {missing}, en trop ou répétés {extra}.")
    for c in criteria:
        if c.verdict not in VERDICTS or not c.reason or not c.title:
            raise ValueError(f"Critère {c.number} : un verdict parmi {VERDICTS}, un titre et "
                             f"une raison sont nécessaires.")
    order = {number: position for position, number in enumerate(CRITERIA)}
    return Audit(date=meta["date"], independent=bool(meta.get("independant", False)),
                 method=meta["methode"], environment=list(meta.get("environnement", [])),
                 not_tested=list(meta.get("non_teste", [])), tools=list(meta.get("outils", [])),
                 pages=list(meta.get("pages", [])),
                 criteria=sorted(criteria, key=lambda c: order[c.number]))


@cache
def audit() -> Audit:
    """The portal's audit, read once per process."""
    return load(AUDIT_FILE.read_text("utf-8"))


def footer_mention() -> str:
    """« Accessibilité : partiellement conforme », in the page's language (every page)."""
    return gettext(MENTIONS[audit().state()])
