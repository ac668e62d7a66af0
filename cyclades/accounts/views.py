"""Créer mon compte, activation, Me connecter, Mot de passe oublié, Modifier mon compte."""
from flask import Blueprint, current_app, flash, redirect, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from cyclades import mail, throttle
from cyclades.accounts import session_end
from cyclades.accounts.forms import (
    ChangeEmailForm, ChangePasswordForm, CreateAccountForm, EmailOnlyForm, IdentityForm,
    LoginForm, ResetPasswordForm,
)
from cyclades.dates import time_of_day
from cyclades.domain import N_
from cyclades.errors import render_error
from cyclades.extensions import login_manager
from cyclades.htmx import hx_redirect, render_page
from cyclades.i18n import gettext as _
from cyclades.models import Account
from cyclades.operations import accounts as operations
from cyclades.operations import sessions
from cyclades.security import (
    TokenExpired, TokenInvalid, private_page, same_site_path, verify_password,
)

bp = Blueprint("accounts", __name__)


def _mails_to(address: str) -> tuple:
    """The limits of the mails a form sends (cyclades.throttle)."""
    return (("LIMIT_MAIL_ADDRESS", address), ("LIMIT_MAIL_CLIENT", throttle.client()))


class _MailRequest:
    """A form that asks for a mail, under the mail limits. The same form sent again a moment
    later (a double click, within mail.DEDUPE_WINDOW) is a `repeat`: it would send no second
    mail, so it is neither held back nor counted, and the view answers the same page without
    doing it again. All of it said the same way whether or not the address has an account."""

    def __init__(self, key: str, address: str):
        self.key, self.rules = key, _mails_to(address)
        self.repeat = throttle.seen_within(mail.DEDUPE_WINDOW, key)

    def admit(self) -> None:
        """Raises throttle.Exceeded; else counts the mail asked for."""
        if self.repeat:
            return
        throttle.enforce(*self.rules)
        throttle.record_seen(mail.DEDUPE_WINDOW, self.key)
        throttle.count(*self.rules)


def _send_asked(kind: str, form, template: str, send):
    """A form that asks for a mail to its address (Renvoyer le lien, Mot de passe oublié):
    `send(address)` under the mail limits, not again for a repeat. The page of the limit
    reached, or None."""
    asked = _MailRequest(f"{kind}:{form.email.data}", form.email.data)
    try:
        asked.admit()
    except throttle.Exceeded as exceeded:
        return _throttled(template, form.email, exceeded, TOO_MANY_MAILS, form=form)
    if not asked.repeat:
        send(form.email.data)
    return None


def _login_failures(address: str) -> tuple:
    return (("LIMIT_LOGIN_FAILURES_PAIR", address, throttle.client()),
            ("LIMIT_LOGIN_FAILURES_ADDRESS", address),
            ("LIMIT_LOGIN_FAILURES_CLIENT", throttle.client()))


#: What a form says when a limit holds it back (cyclades.throttle), with until when.
#: What a 429 says, by the limit reached (cyclades/throttle.py): the one that blocks, and what
#: lifts it. A limit on the connection (the client) says so: another address will not help,
#: nor will « Mot de passe oublié », which clears only the address's counters.
TOO_MANY_MAILS = {
    "LIMIT_MAIL_ADDRESS": N_("Trop de mails demandés pour cette adresse en peu de temps : pour "
                             "la protéger, réessayez après %(time)s. Le dernier mail envoyé est "
                             "peut-être déjà arrivé (pensez aux courriers indésirables)."),
    "LIMIT_MAIL_CLIENT": N_("Trop de mails demandés depuis votre connexion à internet en peu de "
                            "temps, toutes adresses confondues : réessayez après %(time)s."),
}
TOO_MANY_LOGINS = {
    "LIMIT_LOGIN_FAILURES_PAIR": N_("Trop de tentatives de connexion avec cette adresse : pour "
                                    "protéger le compte, réessayez après %(time)s, ou "
                                    "choisissez un nouveau mot de passe avec « Mot de passe "
                                    "oublié »."),
    "LIMIT_LOGIN_FAILURES_CLIENT": N_("Trop de tentatives de connexion depuis votre connexion à "
                                      "internet, toutes adresses confondues : réessayez après "
                                      "%(time)s."),
}
TOO_MANY_LOGINS["LIMIT_LOGIN_FAILURES_ADDRESS"] = TOO_MANY_LOGINS["LIMIT_LOGIN_FAILURES_PAIR"]
TOO_MANY_PASSWORDS = {
    **dict.fromkeys(("LIMIT_LOGIN_FAILURES_PAIR", "LIMIT_LOGIN_FAILURES_ADDRESS"),
                    N_("Trop de mots de passe incorrects : pour protéger votre compte, "
                       "réessayez après %(time)s.")),
    "LIMIT_LOGIN_FAILURES_CLIENT": TOO_MANY_LOGINS["LIMIT_LOGIN_FAILURES_CLIENT"],
}
TOO_MANY_CHANGES = {
    "LIMIT_MAIL_ADDRESS": N_("Trop de changements d'adresse demandés en peu de temps : "
                             "réessayez après %(time)s."),
    "LIMIT_MAIL_CLIENT": TOO_MANY_MAILS["LIMIT_MAIL_CLIENT"],
}


def _throttled(template, field, exceeded, messages: dict, **context):
    """The form again, every value kept, `field` saying which limit blocks it (`messages`, by
    setting) and until when: 429."""
    retry = time_of_day(exceeded.retry_at, current_app.config["BABEL_DEFAULT_TIMEZONE"])
    field.errors = [*field.errors, _(messages[exceeded.setting], time=retry)]
    response = render_page(template, status=429, **context)
    response.headers["Retry-After"] = str(exceeded.retry_after)
    return response


@login_manager.user_loader
def load_account(session_key):
    return sessions.account_for(session_key)


login_manager.login_view = "accounts.login"
login_manager.login_message = None
login_manager.session_protection = "basic"
login_manager.unauthorized_handler(session_end.session_ended)


def _invalid(template, form, **context):
    """A form with errors: the same page, every typed value kept, status 422."""
    return render_page(template, status=422, form=form, **context)


@bp.route("/compte/creer", methods=["GET", "POST"])
def create():
    """Créer mon compte (R1–R4). The answer never says whether the address had an account."""
    if current_user.is_authenticated:
        return redirect(url_for("public.home"))
    form = CreateAccountForm()
    if request.method == "POST":
        if not form.validate():
            return _invalid("accounts/create.html", form)
        try:
            _MailRequest(f"create:{form.email.data}", form.email.data).admit()
        except throttle.Exceeded as exceeded:
            return _throttled("accounts/create.html", form.email, exceeded, TOO_MANY_MAILS,
                              form=form)
        # Even a repeat: it may correct the form sent a moment ago (create_account knows).
        operations.create_account(form.identity(), form.email.data, form.password.data)
        session["sent_to"] = form.email.data
        return hx_redirect(url_for("accounts.created"))
    return render_page("accounts/create.html", form=form)


@bp.route("/compte/creer/mail-envoye")
@private_page
def created():
    """Vérifiez votre messagerie: the same words whatever the address was."""
    return render_page("accounts/created.html", email=session.get("sent_to"))


@bp.route("/compte/activer/<token>")
def activate(token):
    try:
        account = operations.activate_account(token)
    except TokenExpired:
        return render_page("accounts/activation_expired.html", status=410)
    except TokenInvalid:
        return render_error(404, _("Lien d'activation invalide"),
                            _("Ce lien d'activation n'est pas valide. Vérifiez que vous avez "
                              "copié l'adresse en entier depuis le mail reçu."))
    except operations.TokenUsed as used:
        if used.account is not None and used.account.is_active:
            flash(_("Votre compte est déjà activé. Vous pouvez vous connecter."), "info")
            return redirect(url_for("accounts.login"))
        return render_page("accounts/activation_expired.html", status=410)
    flash(_("Votre compte est activé. Vous pouvez maintenant vous connecter."), "success")
    return redirect(url_for("accounts.login", email=account.email))


@bp.route("/connexion", methods=["GET", "POST"])
def login():
    """Me connecter. Only failed attempts count towards the limits: per address and client,
    per address (higher), per client; the owner of an address someone else is trying gets
    through with « Mot de passe oublié »."""
    if current_user.is_authenticated:
        return redirect(url_for("public.home"))
    form = LoginForm(email=request.args.get("email", "")[:254] or None)
    if request.method == "POST":
        if not form.validate():
            return _invalid("accounts/login.html", form)
        pair, *wider = _login_failures(form.email.data)
        try:
            throttle.enforce(*wider)
            throttle.take(pair)  # counted before the check: tries sent at once count too
        except throttle.Exceeded as exceeded:
            return _throttled("accounts/login.html", form.email, exceeded, TOO_MANY_LOGINS,
                              form=form)
        account = operations.authenticate(form.email.data, form.password.data)
        if account is None:
            throttle.count(*wider)
            form.password.errors.append(_("Adresse mail ou mot de passe incorrect."))
            return _invalid("accounts/login.html", form)
        throttle.forget(pair)
        if not account.is_active:
            return render_page("accounts/not_activated.html", status=403,
                               form=EmailOnlyForm(email=account.email))
        session.clear()  # a fresh session at login: nothing carried over from before
        session.permanent = True
        login_user(sessions.open_session(account))
        operations.record_login(account)
        return hx_redirect(same_site_path(request.args.get("next")) or url_for("public.home"))
    return render_page("accounts/login.html", form=form)


@bp.route("/connexion/renvoyer-le-lien", methods=["POST"])
def resend_activation():
    form = EmailOnlyForm()
    if form.validate():
        refused = _send_asked("resend", form, "accounts/not_activated.html",
                              operations.resend_activation)
        if refused:
            return refused
    return render_page("accounts/activation_resent.html")


@bp.route("/session/prolonger", methods=["POST"])
@login_required
def extend_session():
    """« Rester connecté », from the dialog that warns before the session ends: the session
    counts from now. With JavaScript, 204 (the page stays as it is, what is typed included);
    as a plain form, back to the page."""
    sessions.extend(current_user)
    if request.headers.get("HX-Request") == "true":
        return "", 204
    return redirect(same_site_path(request.form.get("next")) or url_for("public.home"), 303)


@bp.route("/deconnexion", methods=["POST"])
def logout():
    if current_user.is_authenticated:
        sessions.end_session(current_user.get_id())
    logout_user()
    session.clear()
    flash(_("Vous êtes déconnecté."), "info")
    return hx_redirect(url_for("public.home"))


@bp.route("/mot-de-passe-oublie", methods=["GET", "POST"])
def forgot_password():
    """R5. The same answer, after the same work, whether or not the address has an account:
    the request is counted and handed to the worker, which looks the address up."""
    form = EmailOnlyForm()
    if request.method == "POST":
        if not form.validate():
            return _invalid("accounts/forgot_password.html", form)
        refused = _send_asked("reset", form, "accounts/forgot_password.html",
                              operations.request_password_reset)
        if refused:
            return refused
        session["sent_to"] = form.email.data
        return hx_redirect(url_for("accounts.reset_sent"))
    return render_page("accounts/forgot_password.html", form=form)


@bp.route("/mot-de-passe-oublie/mail-envoye")
@private_page
def reset_sent():
    return render_page("accounts/reset_sent.html", email=session.get("sent_to"))


@bp.route("/mot-de-passe-oublie/<token>", methods=["GET", "POST"])
def reset_password(token):
    try:
        account = operations.account_for_reset(token)
    except TokenExpired:
        return render_page("accounts/reset_expired.html", status=410)
    except (TokenInvalid, operations.TokenUsed):
        return render_page("accounts/reset_expired.html", status=410, used=True)
    form = ResetPasswordForm()
    form.personal_data = lambda: (account.nom_naissance, account.nom_usage, account.prenoms,
                                  account.email)
    if request.method == "POST":
        if not form.validate():
            return _invalid("accounts/reset_password.html", form, token=token)
        try:
            operations.reset_password(token, form.password.data)
        except (TokenExpired, TokenInvalid, operations.TokenUsed) as gone:
            # The same form sent twice at once: the other request changed the password. The
            # person sees what they asked for, not an error; anyone else, the link's end.
            if not verify_password(Account.get_by_id(account.id).password_hash,
                                   form.password.data):
                return render_page("accounts/reset_expired.html", status=410,
                                   used=not isinstance(gone, TokenExpired))
        # The owner proved the address: attempts made on it by anyone no longer hold it back.
        throttle.forget(*_login_failures(account.email)[:2])
        logout_user()
        session.clear()
        flash(_("Votre mot de passe est modifié. Connectez-vous avec le nouveau."), "success")
        return hx_redirect(url_for("accounts.login", email=account.email))
    return render_page("accounts/reset_password.html", form=form, token=token)


# --- Modifier mon compte (R6) -----------------------------------------------------------------

def _account_forms(**forms) -> dict:
    """Mon compte's context: its three forms, those given kept as they were sent."""
    account = current_user._get_current_object()
    forms.setdefault("email_form", ChangeEmailForm(prefix="email"))
    forms.setdefault("password_form", ChangePasswordForm(prefix="password"))
    if account.can_edit_identity:
        forms.setdefault("identity_form", _identity_form(account))
    return {"account": account, **forms}


def _account_page(status=200, **forms):
    return render_page("accounts/account.html", status=status, **_account_forms(**forms))


def _identity_form(account, submitted=False):
    """What was just typed when `submitted`, else the account's current identity."""
    if submitted:
        return IdentityForm(prefix="identity")
    values = {field: getattr(account, field) for field in Account.IDENTITY_FIELDS}
    values.update(nom_naissance_confirm=account.nom_naissance,
                  date_naissance_confirm=account.date_naissance)
    return IdentityForm(prefix="identity", data=values, formdata=None)


@bp.route("/mon-compte")
@login_required
def account():
    return _account_page()


def _checked_current_password(form, name: str, wrong: str):
    """The current password typed in Mon compte's form `name` (email_form, password_form),
    checked under the login limits: None when it is right or wrong (then its error is set),
    the page saying until when when it is blocked."""
    pair, *wider = _login_failures(current_user.email)
    try:
        throttle.enforce(*wider)
        throttle.take(pair)
    except throttle.Exceeded as exceeded:
        return _throttled("accounts/account.html", form.current_password, exceeded,
                          TOO_MANY_PASSWORDS, **_account_forms(**{name: form}))
    if verify_password(current_user.password_hash, form.current_password.data):
        throttle.forget(pair)
    else:
        throttle.count(*wider)
        form.current_password.errors.append(wrong)
    return None


@bp.route("/mon-compte/adresse-mail", methods=["POST"])
@login_required
def change_email():
    form = ChangeEmailForm(prefix="email")
    if form.validate():
        refused = _checked_current_password(form, "email_form", _("Mot de passe incorrect."))
        if refused:
            return refused
        if not form.errors and form.email.data == current_user.email:
            form.email.errors.append(_("C'est déjà l'adresse de votre compte."))
    if form.errors:
        return _account_page(status=422, email_form=form)
    asked = _MailRequest(f"email:{current_user.id}:{form.email.data}",
                         f"account:{current_user.id}")
    try:
        asked.admit()
    except throttle.Exceeded as exceeded:
        return _throttled("accounts/account.html", form.email, exceeded, TOO_MANY_CHANGES,
                          **_account_forms(email_form=form))
    if not asked.repeat:
        operations.request_email_change(current_user._get_current_object(), form.email.data)
    session["sent_to"] = form.email.data
    return hx_redirect(url_for("accounts.email_change_sent"))


@bp.route("/mon-compte/adresse-mail/mail-envoye")
@login_required
def email_change_sent():
    return render_page("accounts/email_change_sent.html", email=session.get("sent_to"))


@bp.route("/mon-compte/adresse-mail/<token>")
def confirm_email(token):
    try:
        account = operations.confirm_email_change(token)
    except TokenExpired:
        return render_error(410, _("Lien expiré"),
                            _("Ce lien de confirmation a expiré. Connectez-vous et demandez de "
                              "nouveau le changement d'adresse mail."))
    except (TokenInvalid, operations.TokenUsed):
        return render_error(404, _("Lien invalide"),
                            _("Ce lien de confirmation n'est pas valide ou a déjà servi."))
    except operations.EmailTaken:
        return render_error(409, _("Adresse déjà utilisée"),
                            _("Cette adresse mail est maintenant celle d'un autre compte : "
                              "votre adresse n'a pas été changée."))
    if current_user.is_authenticated and current_user.id == account.id:
        flash(_("Votre nouvelle adresse mail est enregistrée : c'est désormais votre "
                "identifiant de connexion."), "success")
        return redirect(url_for("accounts.account"))
    flash(_("Votre nouvelle adresse mail est enregistrée : connectez-vous avec elle."), "success")
    return redirect(url_for("accounts.login", email=account.email))


@bp.route("/mon-compte/mot-de-passe", methods=["POST"])
@login_required
def change_password():
    account = current_user._get_current_object()
    form = ChangePasswordForm(prefix="password")
    form.personal_data = lambda: (account.nom_naissance, account.nom_usage, account.prenoms,
                                  account.email)
    if form.validate():
        refused = _checked_current_password(form, "password_form",
                                            _("Mot de passe actuel incorrect."))
        if refused:
            return refused
        if form.current_password.errors and operations.password_just_changed_to(
                account, form.password.data):
            # The same form sent twice: the first one changed it; this one sees it done.
            flash(_("Votre mot de passe est modifié."), "success")
            return hx_redirect(url_for("accounts.account"))
    if form.errors:
        return _account_page(status=422, password_form=form)
    operations.change_password(account, form.password.data)  # this session stays open
    flash(_("Votre mot de passe est modifié."), "success")
    return hx_redirect(url_for("accounts.account"))


def _identity_locked():
    return render_error(403, _("Modification impossible"),
                        _("Vous avez déjà enregistré une inscription : seul le service "
                          "gestionnaire peut modifier votre état civil."))


@bp.route("/mon-compte/identite", methods=["POST"])
@login_required
def change_identity():
    account = current_user._get_current_object()
    if not account.can_edit_identity:
        return _identity_locked()
    form = _identity_form(account, submitted=True)
    if not form.validate():
        return _account_page(status=422, identity_form=form)
    if not operations.update_identity(account, form.identity()):
        return _identity_locked()  # an inscription was saved meanwhile, in another tab
    flash(_("Votre état civil est modifié."), "success")
    return hx_redirect(url_for("accounts.account"))
