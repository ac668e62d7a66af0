"""The stored files that no row owns: removed, never one a row points to.

A file is written under its random name (cyclades.storage) before the row that owns it is
committed. A process killed in between leaves a `*.part` file, or a whole file without its row;
so does a save whose rollback could not remove its file. They are removed once they are older
than GRACE (a save in progress takes seconds), by the worker every hour and by
`flask --app app purge-files`.
"""
import time
from datetime import timedelta
from pathlib import Path

from flask import current_app

from cyclades.db import write_transaction
from cyclades.models import Document, PieceFile
from cyclades.operations import audit
from cyclades.queue import crontab, periodic

GRACE = timedelta(hours=1)


def _older_files(directory: str, grace: timedelta) -> list[Path]:
    root = Path(directory)
    if not root.is_dir():
        return []
    oldest = time.time() - grace.total_seconds()
    return [path for path in root.rglob("*")
            if path.is_file() and path.stat().st_mtime < oldest]


def purge_orphan_files(grace: timedelta = GRACE) -> int:
    """Remove the files of the upload and document folders that no row owns; their count."""
    config = current_app.config
    owned_by = ((config["UPLOAD_DIR"], PieceFile.stored_name),
                (config["DOCUMENTS_DIR"], Document.stored_name))
    removed = 0
    for directory, column in owned_by:
        # The rows are read after the files are listed: a file saved meanwhile is younger than
        # the grace period anyway.
        candidates = _older_files(directory, grace)
        if not candidates:
            continue
        owned = {name for (name,) in column.model.select(column).tuples()}
        root = Path(directory)
        for path in candidates:
            if path.relative_to(root).as_posix() not in owned:
                path.unlink(missing_ok=True)
                removed += 1
    if removed:
        with write_transaction():
            audit("files.purge", None, removed=removed)
    return removed


@periodic(crontab(minute="7"))
def purge_orphan_files_hourly() -> None:
    purge_orphan_files()
