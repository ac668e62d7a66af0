"""One FlaskForm per registration tab (R22). Each form reads and writes the plain dict kept in
the candidature's draft, so a tab's answers survive as long as the candidature."""
import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_babel import gettext
from wtforms import (
    BooleanField, HiddenField, RadioField, SelectField, SelectMultipleField, StringField,
)
from wtforms.widgets import CheckboxInput, ListWidget
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, StopValidation, ValidationError

from cyclades.domain import candidature as rules
from cyclades.domain import acquis as acquis_rules
from cyclades.domain import eps, languages
from cyclades.domain.residence import academie_of

OUI_NON = [SelectChoice("oui", _l("Oui")), SelectChoice("non", _l("Non"))]


def required(message):
    return DataRequired(message=message)


def chosen(message):
    return InputRequired(message=message)


def required_if(other: str, value: str, message):
    """Required only when another field has a given answer."""
    def check(form, field):
        if form[other].data == value and not field.data:
            raise StopValidation(message)
    return check


def radio(label, choices, message, **kwargs):
    return RadioField(label, choices=choices, validators=[chosen(message)],
                      invalid_choice_message=message, **kwargs)


class TabForm(FlaskForm):
    """Reads from and writes to the draft's plain dict for this tab."""

    def answers(self) -> dict:
        return {name: field.data for name, field in self._fields.items()
                if name != "csrf_token"}


# --- Starting -----------------------------------------------------------------------------------

class ResidenceForm(FlaskForm):
    """Where do you live? (GET: a search, no state changes, no token needed)"""

    class Meta:
        csrf = False

    code_postal = StringField(
        _l("Code postal de votre domicile"), description=_l("5 chiffres, par exemple 63000."),
        validators=[required(_l("Saisissez le code postal de votre domicile."))],
        render_kw={"autocomplete": "postal-code", "inputmode": "numeric"})

    def validate_code_postal(self, field):
        if academie_of(field.data) is None:
            raise ValidationError(_l("Saisissez un code postal français à 5 chiffres, par "
                                     "exemple 63000."))


class StartForm(FlaskForm):
    code_postal = HiddenField()
    examen = HiddenField()


# --- 1 Identification ---------------------------------------------------------------------------

PCS_GROUPS = [
    SelectChoice("", _l("Choisissez une catégorie")),
    SelectChoice("1", _l("Agriculteurs exploitants")),
    SelectChoice("2", _l("Artisans, commerçants et chefs d'entreprise")),
    SelectChoice("3", _l("Cadres et professions intellectuelles supérieures")),
    SelectChoice("4", _l("Professions intermédiaires")),
    SelectChoice("5", _l("Employés")),
    SelectChoice("6", _l("Ouvriers")),
    SelectChoice("7", _l("Retraités")),
    SelectChoice("8", _l("Autres personnes sans activité professionnelle")),
    SelectChoice("9", _l("Non renseignée")),
]
PCS_LABELS = {choice.value: choice.label for choice in PCS_GROUPS if choice.value}


def _phone(value: str) -> str:
    digits = re.sub(r"[\s.\-()]", "", value or "")
    return digits


class IdentificationForm(TabForm):
    adresse = StringField(_l("Adresse"), description=_l("Numéro et nom de la voie."),
                          validators=[required(_l("Saisissez votre adresse.")),
                                      Length(max=120, message=_l("120 caractères au plus."))],
                          render_kw={"autocomplete": "address-line1"})
    complement = StringField(_l("Complément d'adresse (facultatif)"),
                             description=_l("Bâtiment, étage, lieu-dit…"),
                             validators=[Length(max=120, message=_l("120 caractères au plus."))],
                             render_kw={"autocomplete": "address-line2"})
    code_postal = StringField(_l("Code postal"), description=_l("5 chiffres, par exemple 63000."),
                              validators=[required(_l("Saisissez votre code postal."))],
                              render_kw={"autocomplete": "postal-code", "inputmode": "numeric"})
    commune = StringField(_l("Commune"),
                          validators=[required(_l("Saisissez votre commune.")),
                                      Length(max=80, message=_l("80 caractères au plus."))],
                          render_kw={"autocomplete": "address-level2"})
    telephone_portable = StringField(
        _l("Téléphone portable"),
        description=_l("Au moins un numéro de téléphone est obligatoire. Par exemple 06 12 34 56 78."),
        render_kw={"autocomplete": "tel", "inputmode": "tel", "type": "tel"})
    telephone_fixe = StringField(_l("Téléphone fixe (facultatif)"),
                                 render_kw={"inputmode": "tel", "type": "tel"})
    pcs_representant = SelectField(
        _l("Catégorie socio-professionnelle d'un représentant légal"),
        description=_l("Celle de l'un de vos parents ou de la personne qui a exercé l'autorité "
                       "parentale."),
        choices=PCS_GROUPS,
        validators=[required(_l("Choisissez une catégorie socio-professionnelle."))],
        invalid_choice_message=_l("Choisissez une catégorie dans la liste."))

    def __init__(self, *args, academie=None, academie_label=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.academie = academie
        self.academie_label = academie_label

    def validate_code_postal(self, field):
        code = academie_of(field.data)
        if code is None:
            raise ValidationError(_l("Saisissez un code postal français à 5 chiffres, par "
                                     "exemple 63000."))
        if self.academie is not None and code != self.academie.code:
            raise ValidationError(_l(
                "Ce code postal ne relève pas de l'académie de cette inscription (%(name)s). "
                "Vous devez vous inscrire dans l'académie de votre domicile : commencez une "
                "nouvelle inscription depuis « M'inscrire ».", name=self.academie_label))

    def _check_phone(self, field):
        if field.data and not re.fullmatch(r"(\+\d{9,14}|0\d{9})", _phone(field.data)):
            raise ValidationError(_l("Saisissez un numéro à 10 chiffres, par exemple "
                                     "06 12 34 56 78, ou au format international +33 6 12 34 56 78."))

    def validate_telephone_portable(self, field):
        self._check_phone(field)
        if not field.data and not self.telephone_fixe.data:
            raise ValidationError(_l("Saisissez au moins un numéro de téléphone."))

    def validate_telephone_fixe(self, field):
        self._check_phone(field)


# --- 2 Informations candidature -----------------------------------------------------------------

TYPE_CHOICES = [
    SelectChoice("individuel", _l("Candidat individuel : j'ai déjà présenté cet examen après "
                                  "en avoir suivi la formation")),
    SelectChoice("distance", _l("Candidat de l'enseignement à distance")),
    SelectChoice("experience", _l("Candidat justifiant de trois ans d'activité professionnelle "
                                  "en rapport avec le diplôme")),
]
TYPE_LABELS = {c.value: c.label for c in TYPE_CHOICES}


class InformationsForm(TabForm):
    type_candidature = radio(_l("Type de candidature"), TYPE_CHOICES,
                             _l("Choisissez votre type de candidature."))
    etablissement = StringField(
        _l("Établissement ou organisme de formation"),
        description=_l("Obligatoire pour l'enseignement à distance (par exemple : CNED). "
                       "Facultatif sinon."),
        validators=[required_if("type_candidature", "distance",
                                _l("Indiquez votre établissement d'enseignement à distance.")),
                    Length(max=150, message=_l("150 caractères au plus."))])
    declaration_domicile = BooleanField(
        _l("Je déclare être domicilié(e) dans cette académie."),
        validators=[required(_l("Cochez cette déclaration : seul le domicile dans l'académie "
                                "permet de s'y inscrire."))])
    declaration_jdc = BooleanField(
        _l("Je déclare être en règle avec l'obligation de recensement ou la Journée défense "
           "et citoyenneté (JDC)."),
        validators=[required(_l("Cochez cette déclaration : c'est une condition "
                                "d'inscription."))])
    declaration_condition = BooleanField(
        _l("Je déclare remplir la condition de mon type de candidature."),
        validators=[required(_l("Cochez cette déclaration : c'est une condition "
                                "d'inscription."))])
    handicap = radio(_l("Handicap"), OUI_NON,
                     _l("Indiquez si vous demandez un aménagement d'épreuves (Oui ou Non)."),
                     description=_l("Répondez Oui si vous demandez un aménagement d'épreuves au "
                                    "titre du handicap, ou si vous en avez déjà un."))
    notification_amenagement = RadioField(
        _l("Avez-vous déjà une notification de mesures d'aménagement ?"), choices=OUI_NON,
        description=_l("À répondre si vous avez répondu Oui à « Handicap ». Si oui, elle sera "
                       "à joindre à vos pièces justificatives."),
        validators=[required_if("handicap", "oui",
                                _l("Indiquez si vous avez déjà une notification d'aménagement."))],
        validate_choice=False)
    publication_resultats = radio(
        _l("Publication des résultats"), OUI_NON,
        _l("Indiquez si vous acceptez la publication de votre nom dans les résultats."),
        description=_l("J'accepte que mon nom figure sur les listes de résultats publiées "
                       "(presse, internet)."))

    def validate_notification_amenagement(self, field):
        if field.data not in (None, "", "oui", "non"):
            raise ValidationError(_l("Répondez Oui ou Non."))


# --- 3 Qualification présentée ------------------------------------------------------------------

FORME_CHOICES = [
    SelectChoice(rules.GLOBALE, _l("GLOBALE : je passe toutes les épreuves à cette session")),
    SelectChoice(rules.PROGRESSIVE, _l("PROGRESSIVE : j'échelonne mes épreuves sur plusieurs "
                                       "sessions")),
]


def specialty_choices(specialties) -> list:
    """One choice per specialty, or per specialty and option: one list that works without JS."""
    choices = [SelectChoice("", _l("Choisissez votre spécialité"))]
    for specialty in specialties:
        if specialty.options:
            for index, option in enumerate(specialty.options):
                choices.append(SelectChoice(f"{specialty.code}:{index}",
                                            f"{specialty.name} – option {option}"))
        else:
            choices.append(SelectChoice(specialty.code, specialty.name))
    return choices


class QualificationForm(TabForm):
    specialite = SelectField(_l("Spécialité"),
                             validators=[required(_l("Choisissez votre spécialité."))],
                             invalid_choice_message=_l("Choisissez une spécialité dans la liste."))
    forme_passage = radio(_l("Forme de passage de l'examen"), FORME_CHOICES,
                          _l("Choisissez la forme de passage."),
                          description=_l("ATTENTION, votre choix est définitif."))
    echec_precedent = radio(_l("Avez-vous échoué à cet examen lors d'une session précédente ?"),
                            OUI_NON, _l("Répondez Oui ou Non."))
    forme_precedente = RadioField(
        _l("Forme de passage lors de votre session précédente"),
        choices=[SelectChoice(rules.GLOBALE, "GLOBALE"),
                 SelectChoice(rules.PROGRESSIVE, "PROGRESSIVE")],
        description=_l("À répondre si vous avez déjà échoué à cet examen."),
        validators=[required_if("echec_precedent", "oui",
                                _l("Indiquez la forme de passage de votre session précédente."))],
        validate_choice=False)

    def __init__(self, *args, specialties=(), locked_forme=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.specialite.choices = specialty_choices(specialties)
        #: Once saved, the forme de passage is final (R23): it can no longer be changed.
        self.locked_forme = locked_forme

    def validate_forme_passage(self, field):
        if self.locked_forme and field.data != self.locked_forme:
            raise ValidationError(_l("La forme de passage choisie à l'inscription est "
                                     "définitive : elle ne peut pas être changée."))
        problem = rules.forme_passage_problem(field.data, self.echec_precedent.data == "oui",
                                              self.forme_precedente.data)
        if problem:
            raise ValidationError(_l(problem))

    def validate_forme_precedente(self, field):
        if field.data not in (None, "", rules.GLOBALE, rules.PROGRESSIVE):
            raise ValidationError(_l("Choisissez GLOBALE ou PROGRESSIVE."))


# --- 4 Acquis, 5 Epreuves -----------------------------------------------------------------------

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
        kinds = acquis_rules.KINDS if self.context.get("units") else (acquis_rules.AUCUN,)
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
        return [(u, self[f"garder_{u['unit']}"], self[f"note_{u['unit']}"],
                 self[f"session_{u['unit']}"], self[f"unite_{u['unit']}"]) for u in units]

    def dispensable(self) -> dict:
        if self.kind != acquis_rules.DIPLOME or not self.diplome.data:
            return {}
        return acquis_rules.diploma_dispenses(
            self.diplome.data, self.context.get("subjects", {}),
            {u["unit"] for u in self.context.get("units", [])})

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
        if self.kind not in acquis_rules.KINDS:
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
                                      dispensable=self.dispensable())
        by_unit = {item.unit: item for item in items}
        for unit, message in found.items():
            self[f"garder_{unit}"].errors.append(
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
    lvf = SelectField(_l("Langue vivante facultative (LVF, épreuve orale) (facultatif)"),
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
        self.eps_mode.choices = [SelectChoice(m, _l(eps.MODE_LABELS[m])) for m in
                                 eps.allowed_modes(handicap=c.get("handicap", False),
                                                   professional_experience=c.get("experience",
                                                                                 False))]
        self.eps_activities.choices = [SelectChoice(a, a) for a in c.get("activities", [])]
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
