"""What a candidate sent after their session had ended is not lost.

« Suivant » on a tab after 30 minutes away reaches the server without a live session: the tab
is kept (KeptTab) for the browser that sent it, under a random key set in its cookie, then given
back on that tab once the owner of the candidature has logged in again, to be checked and sent.
It is kept KEPT_TAB_LIFETIME at most, and only for that browser and that candidature's owner:
someone else's browser, or an account the candidature is not, never sees it.
"""
import hashlib
import secrets
from datetime import timedelta

from cyclades.db import write_transaction
from cyclades.models import Candidature, KeptTab, utcnow
from cyclades.queue import crontab, periodic

COOKIE = "cyclades_onglet_conserve"
KEPT_TAB_LIFETIME = timedelta(hours=2)
#: What a tab's form sends is far less (MAX_FORM_MEMORY_SIZE caps a form at 64 Ko anyway).
MAX_CHARACTERS = 32 * 1024


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def keep(candidature_token: str, slug: str, pairs: list[tuple[str, str]]) -> str | None:
    """Keep what was sent for this tab; the key for the browser's cookie, or None when there is
    nothing worth keeping (too long: not a tab's form)."""
    pairs = [[name, value] for name, value in pairs if name not in ("csrf_token", "action")]
    if not pairs or sum(len(n) + len(v) for n, v in pairs) > MAX_CHARACTERS:
        return None
    key = secrets.token_urlsafe(32)
    with write_transaction():
        KeptTab.create(key_hash=_hash(key), candidature_token=candidature_token[:64],
                       slug=slug[:32], form=pairs)
    return key


def take(key: str | None, candidature: Candidature, slug: str) -> list[tuple[str, str]] | None:
    """What was kept under `key` for this tab of `candidature` (already its owner's, checked by
    the caller), once: it is deleted as it is given back. None when nothing is kept, or too
    long ago."""
    if not key or len(key) > 100:
        return None
    with write_transaction():
        kept = KeptTab.get_or_none((KeptTab.key_hash == _hash(key))
                                   & (KeptTab.candidature_token == candidature.token)
                                   & (KeptTab.slug == slug)
                                   & (KeptTab.created_at > utcnow() - KEPT_TAB_LIFETIME))
        if kept is None:
            return None
        kept.delete_instance()
    return [(name, value) for name, value in kept.form]


def purge() -> int:
    with write_transaction():
        return KeptTab.delete().where(
            KeptTab.created_at < utcnow() - KEPT_TAB_LIFETIME).execute()


@periodic(crontab(minute="*/30"))
def purge_kept_tabs() -> None:
    purge()
