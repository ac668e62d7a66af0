"""Dates and times as a candidate reads them: in French through Babel, in the académie's zone.

Stored times are naive UTC. « du lundi 4 novembre 2024 à 15 h au mardi 3 décembre 2024 à 17 h
(heure locale) » in French; the patterns are translatable so English reads naturally.
"""
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time

from cyclades.i18n import get_locale, gettext


def to_local(moment: datetime, tz: str) -> datetime:
    return moment.replace(tzinfo=timezone.utc).astimezone(ZoneInfo(tz))


def from_local(moment: datetime, tz: str) -> datetime:
    """A naive local time (as a notice states it) to naive UTC for storage."""
    return moment.replace(tzinfo=ZoneInfo(tz)).astimezone(timezone.utc).replace(tzinfo=None)


def _time() -> str:
    """The one Babel pattern of every time of day the portal writes (pages, mails, documents):
    « 23:59 », as the notices write the deposit deadlines (R50)."""
    # Translators: Babel time pattern: "HH:mm" in French (R50: « 23:59 »); "h:mm a" in English.
    return gettext("HH:mm")


def long_datetime(moment: datetime, tz: str) -> str:
    """« lundi 4 novembre 2024 à 15:00 »."""
    local = to_local(moment, tz)
    locale = get_locale()
    return gettext("%(date)s à %(time)s",
                   date=format_date(local, "full", locale=locale),
                   time=format_time(local, _time(), locale=locale))


def time_of_day(moment: datetime, tz: str) -> str:
    """« 15:42 (heure de Paris) »: a moment of today, as « Réessayez après … » says it."""
    local = to_local(moment, tz)
    return gettext("%(time)s (heure de %(city)s)",
                   time=format_time(local, _time(), locale=get_locale()), city=zone_city(tz))


def period(opens: datetime, closes: datetime, tz: str) -> str:
    """« du lundi 4 novembre 2024 à 15:00 au mardi 3 décembre 2024 à 17:00 (heure locale) »."""
    return gettext("du %(start)s au %(end)s (heure locale)",
                   start=long_datetime(opens, tz), end=long_datetime(closes, tz))


def short_datetime(moment: datetime, tz: str) -> str:
    """« 30/09/2020 16:10 »."""
    local = to_local(moment, tz)
    return format_date(local, "dd/MM/y", locale=get_locale()) + " " + \
        format_time(local, _time(), locale=get_locale())


def short_date(day) -> str:
    """« 30/05/1998 » for a date with no time zone (a birth date)."""
    return format_date(day, "dd/MM/y", locale=get_locale())


def local_date(moment: datetime, tz: str) -> str:
    """« 22/11/2026 »: the day a stored time falls on in the académie's zone."""
    return format_date(to_local(moment, tz), "dd/MM/y", locale=get_locale())


def zone_city(tz: str) -> str:
    """« Paris », « La Réunion »: the city a time zone is named after, in the page's language."""
    from babel.dates import get_timezone_location

    return get_timezone_location(tz, locale=get_locale(), return_city=True)


def deposit_period(opens: datetime, closes: datetime, tz: str) -> str:
    """« entre le jeudi 02 juillet 2020 et le jeudi 12 novembre 2020 23:59 (heure de Paris) »,
    as Mes justificatifs says it (R50)."""
    locale = get_locale()
    # Translators: Babel date pattern of a deposit period, « jeudi 02 juillet 2020 ».
    pattern = gettext("EEEE dd MMMM y")
    return gettext("entre le %(start)s et le %(end)s %(time)s (heure de %(city)s)",
                   start=format_date(to_local(opens, tz), pattern, locale=locale),
                   end=format_date(to_local(closes, tz), pattern, locale=locale),
                   time=format_time(to_local(closes, tz), _time(), locale=locale),
                   city=zone_city(tz))


def deadline(closes: datetime, tz: str) -> str:
    """« le jeudi 12 novembre 2020 23:59 (heure de Paris) »."""
    locale = get_locale()
    pattern = gettext("EEEE dd MMMM y")
    return gettext("le %(date)s %(time)s (heure de %(city)s)",
                   date=format_date(to_local(closes, tz), pattern, locale=locale),
                   time=format_time(to_local(closes, tz), _time(), locale=locale),
                   city=zone_city(tz))
