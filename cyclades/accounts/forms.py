"""One FlaskForm per account page. Labels and hints are the ones of seed 003."""
import re
from datetime import date

from email_validator import EmailNotValidError, validate_email
from wtforms import PasswordField, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, StopValidation, ValidationError

from cyclades.domain import passwords
from cyclades.domain.identity import countries, normalise_name
from cyclades.forms import Form
from cyclades.i18n import get_locale, gettext
from cyclades.i18n import lazy_gettext as _l
from cyclades.validators import printable

REQUIRED = _l("Ce champ est obligatoire.")
NAME_MAX = 100


def required(message=REQUIRED):
    return DataRequired(message=message)


class NameField(StringField):
    """A person's name: letters of any alphabet, spaces, hyphens and apostrophes."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        self.data = normalise_name(self.data or "")

    def pre_validate(self, form):
        if len(self.data) > NAME_MAX:
            raise StopValidation(_l("%(max)d caractères au plus.", max=NAME_MAX))
        if any(not (c.isalpha() or c in " -'") for c in self.data):
            raise StopValidation(_l("Seuls les lettres, les espaces, les traits d'union et les "
                                     "apostrophes sont acceptés."))
        printable(form, self)


#: Day, month and year apart: « 30/05/1998 », « 30 05 1998 », « 30.05.1998 », « 30-05-1998 »,
#: « 3/5/1998 ». A phone's numeric keypad has no « / ».
_DATE_PARTS = re.compile(r"(\d{1,2})\s*[/.\- ]\s*(\d{1,2})\s*[/.\- ]\s*(\d{4})")


def parse_french_date(text: str) -> date | None:
    """The date typed as day, month and year (JJ/MM/AAAA), whatever separates them, or as
    eight digits (30051998); None when it is no real date."""
    text = text.strip()
    found = _DATE_PARTS.fullmatch(text)
    if found:
        day, month, year = found.groups()
    elif re.fullmatch(r"\d{8}", text):
        day, month, year = text[:2], text[2:4], text[4:]
    else:
        return None
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None


class FrenchDateField(StringField):
    """A date typed as JJ/MM/AAAA (a text field: reliable on every phone and screen reader),
    with or without separators (parse_french_date)."""

    def process_formdata(self, valuelist):
        self.raw = (valuelist[0] if valuelist else "").strip()[:40]
        self.data = parse_french_date(self.raw)

    def _value(self):
        if getattr(self, "raw", None) is not None:
            return self.raw
        return self.data.strftime("%d/%m/%Y") if self.data else ""

    def pre_validate(self, form):
        if self.raw and self.data is None:
            raise StopValidation(_l("Saisissez une date réelle : le jour, le mois et l'année, "
                                     "par exemple 30/05/1998 ou 30051998."))


class EmailField(StringField):
    """Validated by email-validator (syntax only, no network) and normalised to lower case."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        self.data = (self.data or "").strip()

    def pre_validate(self, form):
        if not self.data:
            return
        if len(self.data) > 254:
            raise StopValidation(_l("L'adresse mail est trop longue."))
        try:
            checked = validate_email(self.data, check_deliverability=False)
        except EmailNotValidError:
            raise StopValidation(_l("Saisissez une adresse mail valide, par exemple "
                                     "nom.prenom@domaine.fr.")) from None
        self.data = checked.normalized.casefold()


def _same(other_name, message):
    def check(form, field):
        other = form[other_name].data
        a = field.data.casefold() if isinstance(field.data, str) else field.data
        b = other.casefold() if isinstance(other, str) else other
        if other is not None and a != b:
            raise ValidationError(message)
    return check


DATE_HINT = _l("Le jour, le mois et l'année (JJ/MM/AAAA), par exemple 30/05/1998 : les « / » "
               "peuvent être omis (30051998).")


def _birth_date_plausible(form, field):
    if field.data is None:
        return
    if field.data > date.today():
        raise ValidationError(_l("La date de naissance ne peut pas être dans le futur."))
    if field.data.year < 1900:
        raise ValidationError(_l("Vérifiez l'année de naissance."))


class IdentityForm(Form):
    civilite = RadioField(_l("Civilité"),
                          choices=[SelectChoice("MME", _l("Madame")), SelectChoice("M", _l("Monsieur"))],
                          validators=[InputRequired(message=_l("Choisissez votre civilité."))],
                          invalid_choice_message=_l("Choisissez votre civilité."))
    nom_naissance = NameField(
        _l("Nom de famille (nom de naissance)"),
        description=_l("Tel qu'il figure sur votre pièce d'identité."),
        validators=[required(_l("Saisissez votre nom de naissance."))],
        render_kw={"autocomplete": "family-name", "spellcheck": "false"})
    nom_naissance_confirm = NameField(
        _l("Confirmation du nom de naissance"),
        validators=[required(_l("Saisissez de nouveau votre nom de naissance.")),
                    _same("nom_naissance", _l("Les deux noms de naissance saisis sont "
                                              "différents."))],
        render_kw={"autocomplete": "family-name", "spellcheck": "false"})
    nom_usage = NameField(
        _l("Nom d'usage (facultatif)"), description=_l("Nom marital par exemple."),
        render_kw={"autocomplete": "family-name", "spellcheck": "false"})
    prenoms = NameField(
        _l("Prénoms"), description=_l("Notez tous les prénoms précisés sur la pièce d'identité, "
                                      "dans l'ordre."),
        validators=[required(_l("Saisissez vos prénoms."))],
        render_kw={"autocomplete": "given-name", "spellcheck": "false"})
    date_naissance = FrenchDateField(
        _l("Date de naissance"), description=DATE_HINT,
        validators=[required(_l("Saisissez votre date de naissance.")), _birth_date_plausible],
        render_kw={"autocomplete": "bday", "inputmode": "numeric"})
    date_naissance_confirm = FrenchDateField(
        _l("Confirmation de la date de naissance"),
        description=DATE_HINT,
        validators=[required(_l("Saisissez de nouveau votre date de naissance.")),
                    _same("date_naissance", _l("Les deux dates de naissance saisies sont "
                                               "différentes."))],
        render_kw={"autocomplete": "bday", "inputmode": "numeric"})
    pays_naissance = SelectField(
        _l("Pays de naissance"),
        validators=[required(_l("Choisissez votre pays de naissance."))],
        invalid_choice_message=_l("Choisissez votre pays de naissance dans la liste."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.pays_naissance.choices = [SelectChoice("", _l("Choisissez un pays"))] + [
            SelectChoice(code, name) for code, name in countries(get_locale())]

    def identity(self) -> dict:
        return {name: self[name].data for name in
                ("civilite", "nom_naissance", "nom_usage", "prenoms", "date_naissance",
                 "pays_naissance")}


class NewPasswordMixin:
    """R2, one message per unmet criterion; refuses the most common passwords."""

    def personal_data(self) -> tuple:
        return ()

    def validate_password(self, field):
        problems = [gettext(p) for p in passwords.problems(field.data or "", self.personal_data())]
        if problems:
            field.errors.extend(problems[:-1])  # one message per unmet criterion
            raise ValidationError(problems[-1])


def password_fields(label=_l("Mot de passe")):
    password = PasswordField(
        label, description=_l("8 à 20 caractères dont une majuscule, une minuscule et un "
                              "caractère spécial (par exemple . / * ! ? -)."),
        validators=[required(_l("Saisissez un mot de passe."))],
        render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(
        _l("Confirmation du mot de passe"),
        validators=[required(_l("Saisissez de nouveau le mot de passe.")),
                    _same("password", _l("Les deux mots de passe saisis sont différents."))],
        render_kw={"autocomplete": "new-password"})
    return password, confirm


def email_fields(label=_l("Adresse mail")):
    email = EmailField(
        label, description=_l("Par exemple nom.prenom@domaine.fr. Choisissez une adresse que "
                              "vous consultez souvent : elle sera votre identifiant de "
                              "connexion."),
        validators=[required(_l("Saisissez votre adresse mail."))],
        render_kw={"autocomplete": "email", "type": "email", "spellcheck": "false"})
    confirm = EmailField(
        _l("Confirmation de l'adresse mail"),
        validators=[required(_l("Saisissez de nouveau votre adresse mail.")),
                    _same("email", _l("Les deux adresses mail saisies sont différentes."))],
        render_kw={"autocomplete": "email", "type": "email", "spellcheck": "false"})
    return email, confirm


class CreateAccountForm(NewPasswordMixin, IdentityForm):
    email, email_confirm = email_fields()
    password, password_confirm = password_fields()

    def personal_data(self):
        return (self.nom_naissance.data or "", self.nom_usage.data or "",
                self.prenoms.data or "", self.email.data or "")


class LoginForm(Form):
    email = EmailField(_l("Adresse mail"),
                       validators=[required(_l("Saisissez votre adresse mail."))],
                       render_kw={"autocomplete": "username", "type": "email",
                                  "spellcheck": "false"})
    password = PasswordField(_l("Mot de passe"),
                             validators=[required(_l("Saisissez votre mot de passe."))],
                             render_kw={"autocomplete": "current-password"})


class EmailOnlyForm(Form):
    email = EmailField(_l("Adresse mail"),
                       validators=[required(_l("Saisissez votre adresse mail."))],
                       render_kw={"autocomplete": "email", "type": "email",
                                  "spellcheck": "false"})


class ResetPasswordForm(NewPasswordMixin, Form):
    password, password_confirm = password_fields(_l("Nouveau mot de passe"))


class ChangePasswordForm(NewPasswordMixin, Form):
    current_password = PasswordField(
        _l("Mot de passe actuel"),
        validators=[required(_l("Saisissez votre mot de passe actuel."))],
        render_kw={"autocomplete": "current-password"})
    password, password_confirm = password_fields(_l("Nouveau mot de passe"))


class ChangeEmailForm(Form):
    email, email_confirm = email_fields(_l("Nouvelle adresse mail"))
    current_password = PasswordField(
        _l("Mot de passe actuel"), description=_l("Pour confirmer que c'est bien vous."),
        validators=[required(_l("Saisissez votre mot de passe actuel."))],
        render_kw={"autocomplete": "current-password"})
