"""What every template can use: formatted dates, the account, the languages, the accessibility
mention of the footer, security headers."""
from babel.numbers import format_decimal
from flask_wtf.csrf import generate_csrf
from wtforms.widgets import CheckboxInput

from cyclades import dates, i18n, rgaa
from cyclades.domain import acquis, candidature, documents, eps, epreuves, pieces, windows
from cyclades.domain.identity import country_name
from cyclades.i18n import get_locale, gettext
from cyclades.registration.recap import sections as recap_sections
from cyclades.registration.recap import specialty_label, status_text
from cyclades.security import add_security_headers, keep_private


def academie_label(academie) -> str:
    """« Académie de Lille », « Académie d'Aix-Marseille »."""
    if academie.name[:1].upper() in "AEIOUYÉÈÊ":
        return gettext("Académie d'%(name)s", name=academie.name)
    return gettext("Académie de %(name)s", name=academie.name)


def file_size(size: int) -> str:
    """« 45 Ko », « 1,2 Mo »: a file's size as French readers write it."""
    if size < 1024 * 1024:
        return gettext("%(size)s Ko", size=format_decimal(max(1, round(size / 1024)),
                                                          locale=get_locale()))
    return gettext("%(size)s Mo", size=format_decimal(round(size / 1024 / 1024, 1),
                                                      locale=get_locale()))


def error_target(field) -> str:
    """The id an error summary's link goes to: the field itself, or the first option of a
    group of radios or of boxes (the group has no element of that id)."""
    if field.type == "RadioField" or isinstance(getattr(field, "option_widget", None),
                                                 CheckboxInput):
        return f"{field.id}-0"
    return field.id


def init_app(app):
    i18n.init_app(app)  # after Flask-Babel's: its template callables replace Babel's
    app.jinja_env.globals.update(
        csrf_token=generate_csrf,
        error_target=error_target,
        window_label=windows.label,
        get_locale=get_locale,
        period=dates.period,
        long_datetime=dates.long_datetime,
        short_datetime=dates.short_datetime,
        local_date=dates.local_date,
        deposit_period=dates.deposit_period,
        deadline_text=dates.deadline,
        zone_city=dates.zone_city,
        piece_status_label=lambda status: pieces.STATUS_LABELS.get(status, status),
        file_size=file_size,
        document_label=lambda kind: documents.LABELS.get(kind, kind),
        academie_label=academie_label,
        epreuves_of=epreuves.obligatory,
        eps_warning=eps.WARNING,
        acquis_warning=acquis.WARNING,
        epreuve_kind=lambda kind: epreuves.KIND_LABELS.get(kind, kind),
        status_label=lambda status: candidature.STATUS_LABELS.get(status, status),
        specialty_label=specialty_label,
        status_text=status_text,
        recap_sections=recap_sections,
        country_name=lambda code: country_name(code, get_locale()),
        accessibility_mention=rgaa.footer_mention,
    )
    app.jinja_env.filters["short_date"] = dates.short_date
    app.jinja_env.filters["eps_activity"] = eps.activity_label
    app.jinja_env.filters["decimal"] = lambda n: format_decimal(n, locale=get_locale())
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    app.after_request(add_security_headers)
    app.after_request(keep_private)
