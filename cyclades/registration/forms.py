"""One FlaskForm per registration tab (R22). Each form reads and writes the plain dict kept in
the candidature's draft, so a tab's answers survive as long as the candidature. Starting and
tabs 1 to 3 here; tabs 4 and 5, built on the exam rules, in exam_forms.py."""
import re

from wtforms import BooleanField, HiddenField, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, StopValidation, ValidationError

from cyclades.domain import candidature as rules
from cyclades.domain.residence import academie_of
from cyclades.forms import Form
from cyclades.i18n import lazy_gettext as _l
from cyclades.validators import printable

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


class TabForm(Form):
    """Reads from and writes to the draft's plain dict for this tab."""

    def answers(self) -> dict:
        return {name: field.data for name, field in self._fields.items()
                if name != "csrf_token"}


# --- Starting -----------------------------------------------------------------------------------

class ResidenceForm(Form):
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


class StartForm(Form):
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
                                      Length(max=120, message=_l("120 caractères au plus.")),
                                      printable],
                          render_kw={"autocomplete": "address-line1"})
    complement = StringField(_l("Complément d'adresse (facultatif)"),
                             description=_l("Bâtiment, étage, lieu-dit…"),
                             validators=[Length(max=120, message=_l("120 caractères au plus.")),
                                         printable],
                             render_kw={"autocomplete": "address-line2"})
    code_postal = StringField(_l("Code postal"), description=_l("5 chiffres, par exemple 63000."),
                              validators=[required(_l("Saisissez votre code postal."))],
                              render_kw={"autocomplete": "postal-code", "inputmode": "numeric"})
    commune = StringField(_l("Commune"),
                          validators=[required(_l("Saisissez votre commune.")),
                                      Length(max=80, message=_l("80 caractères au plus.")),
                                      printable],
                          render_kw={"autocomplete": "address-level2"})
    telephone_portable = StringField(
        _l("Téléphone portable"),
        description=_l("Au moins un numéro de téléphone est obligatoire. Par exemple 06 12 34 56 78."),
        render_kw={"autocomplete": "mobile tel", "inputmode": "tel", "type": "tel"})
    telephone_fixe = StringField(_l("Téléphone fixe (facultatif)"),
                                 render_kw={"autocomplete": "home tel", "inputmode": "tel",
                                            "type": "tel"})
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
        #: The académie of the postal code typed, when it is not this inscription's: the page
        #: names it and links to an inscription there (R20).
        self.home_academie = None

    def validate_code_postal(self, field):
        from cyclades.models import Academie
        from cyclades.templating import academie_label

        code = academie_of(field.data)
        if code is None:
            raise ValidationError(_l("Saisissez un code postal français à 5 chiffres, par "
                                     "exemple 63000."))
        if self.academie is not None and code != self.academie.code:
            home = Academie.get_or_none(Academie.code == code)
            if home is None:  # a code of academies.toml is always loaded; say it plainly if not
                raise ValidationError(_l(
                    "Ce code postal ne relève pas de l'académie de cette inscription (%(name)s). "
                    "Vous devez vous inscrire dans l'académie de votre domicile.",
                    name=self.academie_label))
            self.home_academie = academie_label(home)
            raise ValidationError(_l(
                "Ce code postal relève d'une autre académie que celle de cette inscription "
                "(%(name)s) : %(home)s. Vous devez vous inscrire dans l'académie de votre "
                "domicile.", name=self.academie_label, home=self.home_academie))

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
                    Length(max=150, message=_l("150 caractères au plus.")), printable])
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
