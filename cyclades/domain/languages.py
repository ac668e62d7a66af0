"""R26, R28: the languages of E4 (LVA, and LVB for tertiary specialties) and the optional LVF.

Every Bac Pro has an LVA. Tertiary specialties also need an LVB, except cuisine and
commercialisation et services en restauration; LVA ≠ LVB. The optional LVF differs from the LVA
(industrial) or from both LVA and LVB (tertiary). Lists come from the académie.
"""
from dataclasses import dataclass

from cyclades.domain import N_

@dataclass(frozen=True)
class LanguageChoice:
    lva: str = ""
    lvb: str = ""
    lvf: str = ""  #: optional: "" when the candidate takes no LVF


def needs_lvb(sector: str, single_language: bool = False, exam_code: str = "BCP") -> bool:
    """Bac Pro tertiary specialties have an LVB, except the single-language ones (seed 003:
    « sauf cuisine et CSR »; `single_language` in examens.toml)."""
    return exam_code == "BCP" and sector == "services" and not single_language


def problems(choice: LanguageChoice, *, lvb_needed: bool, e4_languages: list[str],
             lvf_languages: list[str]) -> dict[str, str]:
    """{field: message} for every rule the choice breaks; empty when it is allowed."""
    found = {}
    if not choice.lva:
        found["lva"] = N_("Choisissez votre langue vivante A (LVA).")
    elif choice.lva not in e4_languages:
        found["lva"] = N_("Choisissez la LVA dans la liste des langues proposées par l'académie.")
    if lvb_needed:
        if not choice.lvb:
            found["lvb"] = N_("Votre spécialité tertiaire demande aussi une langue vivante B "
                              "(LVB) : choisissez-la.")
        elif choice.lvb not in e4_languages:
            found["lvb"] = N_("Choisissez la LVB dans la liste des langues proposées par "
                              "l'académie.")
        elif choice.lvb == choice.lva:
            found["lvb"] = N_("Les langues LVA et LVB doivent être différentes.")
    elif choice.lvb:
        found["lvb"] = N_("Votre spécialité ne comporte pas de LVB : laissez ce choix vide.")
    if choice.lvf:
        if choice.lvf not in lvf_languages:
            found["lvf"] = N_("Choisissez la langue facultative dans la liste des langues "
                              "proposées par l'académie.")
        elif choice.lvf == choice.lva:
            found["lvf"] = N_("La langue facultative (LVF) doit être différente de la LVA.")
        elif lvb_needed and choice.lvf == choice.lvb:
            found["lvf"] = N_("Pour une spécialité tertiaire, les trois langues doivent être "
                              "différentes (LVA, LVB et LVF).")
    return found


def options(field: str, choice: LanguageChoice, *, e4_languages, lvf_languages,
            lvb_needed: bool) -> list[str]:
    """The languages still open for `field` once the others are chosen (what the partial shows)."""
    if field == "lva":
        return list(e4_languages)
    if field == "lvb":
        return [lang for lang in e4_languages if lang != choice.lva]
    taken = {choice.lva} | ({choice.lvb} if lvb_needed else set())
    return [lang for lang in lvf_languages if lang not in taken]
