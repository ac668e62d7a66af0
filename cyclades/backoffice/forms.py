"""The gestionnaire side's forms (apart from the candidates')."""
import re
from datetime import datetime, time

from wtforms import EmailField, IntegerField, PasswordField, RadioField, SelectField, StringField
from wtforms.validators import NumberRange, StopValidation

from cyclades.accounts.forms import FrenchDateField, required
from cyclades.domain import passwords
from cyclades.forms import Form
from cyclades.i18n import gettext
from cyclades.i18n import lazy_gettext as _l
from cyclades.models import Gestionnaire
from cyclades.validators import printable


class LoginForm(Form):
    email = EmailField(_l("Adresse mail professionnelle"),
                       validators=[required(_l("Saisissez votre adresse mail."))],
                       render_kw={"autocomplete": "username", "spellcheck": "false"})
    password = PasswordField(_l("Mot de passe"),
                             validators=[required(_l("Saisissez votre mot de passe."))],
                             render_kw={"autocomplete": "current-password"})


def _code_field(label, description):
    return StringField(label, description=description,
                       validators=[required(_l("Saisissez le code."))],
                       render_kw={"autocomplete": "one-time-code", "inputmode": "numeric",
                                  "spellcheck": "false", "maxlength": "12"})


class CodeForm(Form):
    code = _code_field(_l("Code de sécurité"),
                       _l("Les 6 chiffres affichés par votre application d'authentification, "
                          "ou l'un de vos codes de secours (10 chiffres)."))


class EnrolForm(Form):
    code = _code_field(_l("Code affiché par l'application"),
                       _l("6 chiffres. Il change toutes les 30 secondes : saisissez celui "
                          "affiché maintenant."))


class PasswordForm(Form):
    """The password an activation link sets."""
    password = PasswordField(
        _l("Mot de passe"),
        description=_l("Au moins 12 caractères. Le plus sûr : quatre mots sans rapport entre "
                       "eux, par exemple « girafe tiroir orage piment »."),
        validators=[required(_l("Saisissez un mot de passe."))],
        render_kw={"autocomplete": "new-password"})
    password_confirm = PasswordField(
        _l("Confirmation du mot de passe"),
        validators=[required(_l("Saisissez de nouveau le mot de passe."))],
        render_kw={"autocomplete": "new-password"})

    def __init__(self, *args, personal=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.personal = personal

    def validate_password(self, field):
        problems = passwords.staff_problems(field.data or "", self.personal)
        if problems:
            raise StopValidation(gettext(problems[0]))

    def validate_password_confirm(self, field):
        if field.data != self.password.data:
            raise StopValidation(gettext("Les deux mots de passe saisis sont différents."))


class InviteForm(Form):
    """A responsable gives a colleague access."""
    email = EmailField(_l("Adresse mail professionnelle"),
                       validators=[required(_l("Saisissez l'adresse mail de la personne."))],
                       render_kw={"autocomplete": "off", "spellcheck": "false"})
    name = StringField(_l("Prénom et nom"),
                       validators=[required(_l("Saisissez le prénom et le nom de la personne.")),
                                   printable],
                       render_kw={"autocomplete": "off"})
    role = RadioField(_l("Rôle"), choices=[
        (Gestionnaire.GESTIONNAIRE, _l("Gestionnaire : travaille sur les candidatures de "
                                       "l'académie")),
        (Gestionnaire.RESPONSABLE, _l("Responsable : gère aussi l'équipe, les périodes "
                                      "d'ouverture et les réglages de l'académie"))],
        default=Gestionnaire.GESTIONNAIRE,
        validators=[required(_l("Choisissez un rôle."))])

    def validate_email(self, field):
        from email_validator import EmailNotValidError, validate_email

        try:
            field.data = validate_email(field.data or "", check_deliverability=False).normalized
        except EmailNotValidError:
            raise StopValidation(gettext("Saisissez une adresse mail valide, par exemple "
                                         "prenom.nom@ac-academie.fr."))
        if Gestionnaire.select().where(Gestionnaire.email == field.data.lower()).exists():
            raise StopValidation(gettext("Cette adresse a déjà un accès au service "
                                         "gestionnaire."))


class WindowForm(Form):
    """A window's dates and hours, typed in the académie's local time."""
    exam = SelectField(_l("Examen"), validators=[required(_l("Choisissez l'examen."))])
    session = IntegerField(_l("Session"), description=_l("L'année de la session, par exemple 2027."),
                           validators=[required(_l("Saisissez l'année de la session.")),
                                       NumberRange(2020, 2100, _l("Saisissez une année entre "
                                                                  "2020 et 2100."))],
                           render_kw={"inputmode": "numeric"})
    kind = RadioField(_l("Période"), validators=[required(_l("Choisissez la période."))])
    opens_date = FrenchDateField(_l("Date d'ouverture"), description=_l("JJ/MM/AAAA"),
                                 validators=[required(_l("Saisissez la date d'ouverture."))])
    opens_time = StringField(_l("Heure d'ouverture"), description=_l("HH:MM, heure locale"),
                             default="09:00",
                             validators=[required(_l("Saisissez l'heure d'ouverture."))])
    closes_date = FrenchDateField(_l("Date de clôture"), description=_l("JJ/MM/AAAA"),
                                  validators=[required(_l("Saisissez la date de clôture."))])
    closes_time = StringField(_l("Heure de clôture"), description=_l("HH:MM, heure locale"),
                              default="23:59",
                              validators=[required(_l("Saisissez l'heure de clôture."))])

    def validate_opens_date(self, field):
        _check_year(field)

    def validate_closes_date(self, field):
        _check_year(field)

    def validate_opens_time(self, field):
        _check_time(field)

    def validate_closes_time(self, field):
        _check_time(field)

    def moment(self, day, hour) -> datetime:
        hours, minutes = (int(part) for part in hour.strip().replace("h", ":").split(":"))
        return datetime.combine(day, time(hours, minutes))


def _check_year(field):
    if field.data and not 2000 <= field.data.year <= 2100:
        raise StopValidation(gettext("Saisissez une date entre 2000 et 2100."))


def _check_time(field):
    text = (field.data or "").strip().replace("h", ":")
    found = re.fullmatch(r"([0-9]{1,2}):([0-9]{2})", text)
    if not (found and int(found.group(1)) <= 23 and int(found.group(2)) <= 59):
        raise StopValidation(gettext("Saisissez une heure sous la forme HH:MM, par exemple "
                                     "23:59."))
