"""Files kept outside static/ under random names: written whole or not at all."""
import hashlib
import os
import secrets
from pathlib import Path
from typing import BinaryIO

CHUNK = 64 * 1024


def save(directory: str, data: bytes | BinaryIO, suffix: str) -> tuple[str, str]:
    """Write `data` (bytes, or a stream copied from its start in chunks, never read whole)
    under a new random name in `directory`; returns (name, sha256). The file appears only once
    complete (written aside, synced, then renamed)."""
    name = secrets.token_urlsafe(24) + suffix
    relative = f"{name[:2]}/{name}"
    path = Path(directory) / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".part")
    digest = hashlib.sha256()
    try:
        with open(partial, "wb") as handle:
            if isinstance(data, bytes):
                handle.write(data)
                digest.update(data)
            else:
                data.seek(0)
                while chunk := data.read(CHUNK):
                    handle.write(chunk)
                    digest.update(chunk)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    _sync_directory(path.parent)
    return relative, digest.hexdigest()


def _sync_directory(directory: Path) -> None:
    """Make the rename itself durable (POSIX); a no-op where directories cannot be opened."""
    try:
        descriptor = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def path_of(directory: str, name: str) -> Path:
    """The path of a stored file; a name that would leave `directory` is refused."""
    root = Path(directory).resolve()
    path = (root / name).resolve()
    if root not in path.parents:
        raise ValueError(f"not a stored file name: {name!r}")
    return path


def remove(directory: str, name: str) -> None:
    path_of(directory, name).unlink(missing_ok=True)
