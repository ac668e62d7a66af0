"""Tabs 4 and 5 (R23, R25–R28): the forms built on the exam rules of cyclades.domain, with the
fields that depend on the candidature's units added per candidature."""
from wtforms import BooleanField, RadioField, SelectField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import CheckboxInput, ListWidget

from cyclades.domain import acquis as acquis_rules
from cyclades.domain import eps, languages
from cyclades.i18n import gettext
from cyclades.i18n import lazy_gettext as _l
from cyclades.registration.forms import (
    IdentificationForm, InformationsForm, QualificationForm, TabForm, chosen, required,
)


class AcquisForm(TabForm):
    """Tab 4 (R25): one of the five possibilities, then the units it concerns. The per-unit
    fields are added by acquis_form() for the candidature's specialty."""
    acquis = RadioField(_l("Bénéfices de notes et dispenses"), validate_choice=False,
                        validators=[chosen(_l("Choisissez une réponse."))])
    diplome = SelectField(_l("Diplôme que vous possédez déjà"), validate_choice=False)
    confirmation = BooleanField(_l("J'ai compris que toute note ou dispense que je ne conserve "
                                   "pas ici est définitivement perdue."))

    def __init__(self, *args, context=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.context = context or {}
        for unit in self.context.get("units", []):  # the error summary names the unit
            for name in ("note", "session", "unite"):
                if f"{name}_{unit['unit']}" in self._fields:
                    field = self[f"{name}_{unit['unit']}"]
                    field.summary_label = f"{unit['label']} – {field.label.text}"
        kinds = self.context.get("kinds", (acquis_rules.AUCUN,))
        self.acquis.choices = [SelectChoice(k, _l(acquis_rules.KIND_LABELS[k])) for k in kinds]
        self.diplome.choices = [SelectChoice("", _l("Choisissez le diplôme"))] + [
            SelectChoice(code, label) for code, label in self.context.get("diplomas", {}).items()]

    @property
    def kind(self):
        return self.acquis.data or ""

    def unit_fields(self):
        """(unit, keep, mark, session, had_unit) for each unit the chosen possibility concerns."""
        units = self.context.get("units", [])
        if self.kind == acquis_rules.DIPLOME:
            allowed = self.dispensable()
            units = [u for u in units if u["unit"] in allowed]
        elif self.kind == acquis_rules.AJOURNEMENT:
            common = self.common()
            units = [u for u in units if u["unit"] in common]
        return [(u, self[f"garder_{u['unit']}"], self[f"note_{u['unit']}"],
                 self[f"session_{u['unit']}"], self[f"unite_{u['unit']}"]) for u in units]

    def dispensable(self) -> dict:
        if self.kind != acquis_rules.DIPLOME or not self.diplome.data:
            return {}
        return acquis_rules.diploma_dispenses(
            self.context.get("diploma_table", {}), self.diplome.data,
            self.context.get("subjects", {}), {u["unit"] for u in self.context.get("units", [])},
            self.context.get("specialty", ""))

    def common(self) -> set:
        return acquis_rules.common_units(self.context.get("subjects", {}))

    def items(self) -> list:
        items = []
        for unit, keep, mark, session, had_unit in self.unit_fields():
            if keep.data:
                items.append(acquis_rules.Acquired(
                    unit["unit"], self.kind, mark=_number(mark.data) if self.kind ==
                    acquis_rules.BENEFICE else None,
                    session=_year(session.data) if self.kind != acquis_rules.DIPLOME else None,
                    had_unit=bool(had_unit.data)))
        return items

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        if not valid or self.kind in ("", acquis_rules.AUCUN):
            return valid
        if self.kind not in self.context.get("kinds", ()):
            self.acquis.errors.append(gettext("Choisissez une réponse."))
            return False
        ok = True
        if self.kind == acquis_rules.DIPLOME and not self.diplome.data:
            self.diplome.errors.append(gettext("Choisissez le diplôme que vous possédez."))
            return False
        items = self.items()
        if not items:
            self.acquis.errors.append(gettext("Cochez au moins une épreuve concernée, ou "
                                              "choisissez « Aucun acquis »."))
            ok = False
        found = acquis_rules.problems(items, session=self.context.get("session", 0),
                                      units={u["unit"] for u in self.context.get("units", [])},
                                      dispensable=self.dispensable(),
                                      common=self.common() if self.kind ==
                                      acquis_rules.AJOURNEMENT else None)
        by_unit = {item.unit: item for item in items}
        prefix = {"mark": "note", "session": "session", "had_unit": "unite"}
        for unit, message in found.items():
            at_fault = prefix.get(acquis_rules.FIELD_OF_PROBLEM.get(message), "garder")
            self[f"{at_fault}_{unit}"].errors.append(
                gettext(message) % acquis_rules.message_values(by_unit[unit]))
            ok = False
        if not self.confirmation.data:
            self.confirmation.errors.append(gettext("Cochez cette case pour confirmer que vous "
                                                    "avez lu l'avertissement."))
            ok = False
        return ok

    def answers(self) -> dict:
        if self.kind in ("", acquis_rules.AUCUN):
            return {"acquis": acquis_rules.AUCUN, "items": []}
        return {"acquis": self.kind,
                "diplome": self.diplome.data if self.kind == acquis_rules.DIPLOME else "",
                "confirmation": True,
                "items": [{"unit": i.unit, "kind": i.kind, "mark": i.mark, "session": i.session,
                           "had_unit": i.had_unit,
                           "diploma": self.diplome.data if i.kind == acquis_rules.DIPLOME else ""}
                          for i in self.items()]}

    @staticmethod
    def data_from(answers: dict) -> dict:
        """Saved answers back into field values, to show the tab again."""
        data = {k: answers.get(k) for k in ("acquis", "diplome", "confirmation")}
        for item in answers.get("items", []):
            unit = item["unit"]
            data[f"garder_{unit}"] = True
            data[f"note_{unit}"] = "" if item.get("mark") is None else \
                f"{item['mark']:g}".replace(".", ",")
            data[f"session_{unit}"] = "" if item.get("session") is None else str(item["session"])
            data[f"unite_{unit}"] = item.get("had_unit", False)
        return data


def _number(text):
    try:
        return float((text or "").strip().replace(",", "."))
    except ValueError:
        return None


def _year(text):
    text = (text or "").strip()
    return int(text) if text.isdigit() and len(text) == 4 else None


def acquis_form(units: list[dict]):
    """AcquisForm with, for each unit, « keep it », its mark, its session and the * confirmation."""
    attrs = {}
    for unit in units:
        code, label = unit["unit"], unit["label"]
        attrs[f"garder_{code}"] = BooleanField(_l("%(epreuve)s : cette épreuve est concernée",
                                                  epreuve=label))
        attrs[f"note_{code}"] = StringField(_l("Note obtenue, sur 20"),
                                            render_kw={"inputmode": "decimal"})
        attrs[f"session_{code}"] = StringField(_l("Session où elle a été obtenue (année)"),
                                               render_kw={"inputmode": "numeric"})
        attrs[f"unite_{code}"] = BooleanField(_l("Mon diplôme comportait cette épreuve (voir "
                                                 "mon relevé de notes)"))
    return type("AcquisUnitsForm", (AcquisForm,), attrs)


class EpreuvesForm(TabForm):
    """Tab 5: languages (R26, R28) and EPS (R27) where the exam has them, checked by the rules
    of cyclades.domain — the same functions the tests call."""
    lva = SelectField(_l("Langue vivante A (LVA)"), validate_choice=False)
    lvb = SelectField(_l("Langue vivante B (LVB)"), validate_choice=False,
                      description=_l("Obligatoire pour votre spécialité tertiaire ; différente "
                                     "de la LVA."))
    lvf = SelectField(_l("LVF : langue vivante facultative, épreuve orale (facultatif)"),
                      validate_choice=False)
    eps_mode = RadioField(_l("Éducation physique et sportive (E7) : votre situation"),
                          validate_choice=False)
    eps_activities = SelectMultipleField(
        _l("Vos deux activités"), validate_choice=False,
        description=_l("À choisir si vous êtes apte : exactement deux activités."),
        widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())
    eps_adapted = RadioField(_l("Activité de l'épreuve adaptée"), validate_choice=False,
                             description=_l("À choisir pour l'épreuve adaptée."))
    eps_medical = BooleanField(_l("Je suis partiellement inapte à la pratique de l'EPS et "
                                  "fournirai un certificat médical."))
    verification = BooleanField(
        _l("J'ai vérifié que je suis « Inscrit » à chacune des épreuves obligatoires."),
        validators=[required(_l("Cochez la case après avoir vérifié la liste des épreuves."))])

    def __init__(self, *args, context=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.context = context or {}
        c = self.context
        none = [SelectChoice("", _l("Choisissez une langue"))]
        choice = self.language_choice()
        opts = {name: languages.options(name, choice, e4_languages=c.get("e4", []),
                                        lvf_languages=c.get("lvf", []),
                                        lvb_needed=c.get("lvb_needed", False))
                for name in ("lva", "lvb", "lvf")}
        self.lva.choices = none + [SelectChoice(x, x) for x in opts["lva"]]
        self.lvb.choices = none + [SelectChoice(x, x) for x in opts["lvb"]]
        self.lvf.choices = [SelectChoice("", _l("Je ne présente pas de langue facultative"))] + \
            [SelectChoice(x, x) for x in opts["lvf"]]
        modes = eps.allowed_modes(handicap=c.get("handicap", False),
                                  professional_experience=c.get("experience", False))
        self.eps_mode.choices = [SelectChoice(m, _l(eps.mode_label(m, c.get("activities"))))
                                 for m in modes]
        self.eps_activities.choices = [SelectChoice(a, eps.activity_label(a))
                                       for a in c.get("activities", [])]
        self.eps_adapted.choices = [SelectChoice(a, a) for a in c.get("adapted", [])]

    def language_choice(self):
        return languages.LanguageChoice(self.lva.data or "", self.lvb.data or "",
                                        self.lvf.data or "")

    def eps_choice(self):
        return eps.EpsChoice(self.eps_mode.data or "", tuple(self.eps_activities.data or ()),
                             self.eps_adapted.data or "", bool(self.eps_medical.data))

    def presented(self) -> set | None:
        """PROGRESSIVE (R23): the units presented this session; None in GLOBALE (all of them)."""
        if not self.context.get("progressive"):
            return None
        return {u["unit"] for u in self.context.get("units", [])
                if f"presenter_{u['unit']}" in self._fields and self[f"presenter_{u['unit']}"].data}

    def _takes(self, role: str) -> bool:
        presented = self.presented()
        units = [u for u in self.context.get("units", []) if u.get("role") == role]
        return presented is None or not units or any(u["unit"] in presented for u in units)

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        c = self.context
        found = {}
        presented = self.presented()
        if presented is not None and not presented:
            self.verification.errors = list(self.verification.errors) + [gettext(
                "En forme progressive, choisissez au moins une épreuve à présenter à cette "
                "session.")]
            valid = False
        if c.get("languages") and self._takes("langues"):
            found.update(languages.problems(self.language_choice(),
                                            lvb_needed=c.get("lvb_needed", False),
                                            e4_languages=c.get("e4", []),
                                            lvf_languages=c.get("lvf", [])))
        if c.get("eps") and self._takes("eps"):
            eps_found = eps.problems(self.eps_choice(), activities=c.get("activities", []),
                                     adapted_activities=c.get("adapted", []),
                                     handicap=c.get("handicap", False),
                                     professional_experience=c.get("experience", False))
            fields = {"mode": "eps_mode", "activities": "eps_activities",
                      "adapted_activity": "eps_adapted"}
            found.update({fields[key]: message for key, message in eps_found.items()})
        for name, message in found.items():
            self[name].errors = list(self[name].errors) + [gettext(message)]
        return valid and not found

    def answers(self) -> dict:
        c = self.context
        answers = {"verification": bool(self.verification.data)}
        presented = self.presented()
        if presented is not None:
            answers["presentees"] = sorted(presented)
        if c.get("languages"):
            answers.update(lva=self.lva.data, lvb=self.lvb.data if c.get("lvb_needed") else "",
                           lvf=self.lvf.data or "")
        if c.get("eps"):
            choice = self.eps_choice()
            answers.update(eps_mode=choice.mode,
                           eps_activities=list(choice.activities) if choice.mode == eps.APTE else [],
                           eps_adapted=choice.adapted_activity if choice.mode == eps.ADAPTEE else "",
                           eps_medical=choice.medical_grounds if choice.mode == eps.ADAPTEE else False)
        return answers


def epreuves_form(units: list[dict]):
    """EpreuvesForm with, in PROGRESSIVE form, « present it this session » for each unit that
    is neither kept nor dispensed."""
    attrs = {f"presenter_{u['unit']}": BooleanField(
        _l("%(epreuve)s : je la présente à cette session", epreuve=f"{u['label']} – {u['title']}"))
        for u in units if u.get("status") in ("inscrit", "reportee")}
    return type("EpreuvesUnitsForm", (EpreuvesForm,), attrs)


FORMS = {"identification": IdentificationForm, "informations": InformationsForm,
         "qualification": QualificationForm, "acquis": AcquisForm, "epreuves": EpreuvesForm}
