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


def _older_files(root: Path, grace: timedelta) -> list[Path]:
    if not root.is_dir():
        return []
    oldest = time.time() - grace.total_seconds()
    return [path for path in root.rglob("*")
            if path.is_file() and path.stat().st_mtime < oldest]


def purge_orphan_files(grace: timedelta = GRACE) -> int:
    """Remove the files of the upload and document folders that no row owns; their count.
    Files are compared by their whole path, so two settings naming the same folder (or one
    inside the other) never make a row's file look unowned."""
    config = current_app.config
    folders = ((Path(config["UPLOAD_DIR"]), PieceFile.stored_name),
               (Path(config["DOCUMENTS_DIR"]), Document.stored_name))
    # The files are listed before the rows are read: one saved meanwhile is younger than the
    # grace period anyway.
    candidates = {path.resolve() for root, _ in folders for path in _older_files(root, grace)}
    if not candidates:
        return 0
    owned = {(root / name).resolve() for root, column in folders
             for (name,) in column.model.select(column).tuples()}
    removed = 0
    for path in candidates - owned:
        path.unlink(missing_ok=True)
        removed += 1
    if removed:
        with write_transaction():
            audit("files.purge", None, removed=removed)
    return removed


@periodic(crontab(minute="7"))
def purge_orphan_files_hourly() -> None:
    purge_orphan_files()
