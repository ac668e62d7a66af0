"""The task queue (huey): what runs off the request, in the worker (`flask --app app worker`).

A request never talks to SMTP nor waits on anything slow: an operation stores what must be done
in the database, in its own transaction, and enqueues a task once that transaction has
committed (`db.on_commit`); the worker runs it. Periodic jobs (the mail retries, the purges) are
tasks of the same worker.

Storage, from CYCLADES_QUEUE: a SQLite file by default (no service to run; one machine), or
`redis://…` when several machines share the work. Tasks are defined next to the operation that
enqueues them (`cyclades.mail`, `cyclades.operations.*`), with `@task` or `@periodic`, which run
them inside the application (its configuration and a database connection).
"""
import functools

from huey import Huey, crontab
from huey.storage import MemoryStorage, RedisStorage, SqliteStorage

class _Queue(Huey):
    """huey, bound to the Flask app by init_app() as any extension is."""

    app = None


#: Results are not kept: a task's effect is in the database.
huey = _Queue("cyclades", results=False, storage_class=MemoryStorage)


def _in_app(function):
    @functools.wraps(function)
    def run(*args, **kwargs):
        from cyclades.db import database

        if huey.app is None:
            raise RuntimeError("cyclades.queue.init_app() was not called")
        with huey.app.app_context(), database.connection_context():
            return function(*args, **kwargs)
    return run


def task(**options):
    """A function run by the worker: calling it enqueues it (call it from `db.on_commit`)."""
    def decorator(function):
        return huey.task(**options)(_in_app(function))
    return decorator


def periodic(schedule: crontab, **options):
    """A function the worker runs on its own, on a crontab schedule."""
    def decorator(function):
        return huey.periodic_task(schedule, **options)(_in_app(function))
    return decorator


def storage_for(setting: str):
    """The huey storage for a CYCLADES_QUEUE setting: a SQLite file path, `redis://…`, or
    `memory://` (one process only: for a test)."""
    if setting.startswith(("redis://", "rediss://", "unix://")):
        return RedisStorage(huey.name, url=setting)
    if setting == "memory://":
        return MemoryStorage(huey.name)
    storage = SqliteStorage(huey.name, filename=setting)
    storage.close()  # each process (a forked server worker too) opens its own connection
    return storage


def init_app(app):
    huey.app = app
    huey.storage = storage_for(app.config["QUEUE"])


def run_pending(limit: int = 1000) -> int:
    """Run, in this process, every task waiting in the queue (and those they enqueue): what the
    worker would do next. For the tests and `flask --app app worker --once`."""
    done = 0
    while done < limit:
        message = huey.dequeue()
        if message is None:
            return done
        huey.execute(message)
        done += 1
    return done


def run_worker(workers: int = 2) -> None:
    """The worker: `workers` threads taking tasks, and the scheduler of the periodic ones."""
    huey.create_consumer(workers=workers, worker_type="thread", periodic=True,
                         check_worker_health=True).run()


__all__ = ["crontab", "huey", "init_app", "periodic", "run_pending", "run_worker", "task"]
