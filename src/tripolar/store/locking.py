"""Locks that make creating and migrating a store safe when processes start together.

Two tripolar processes that open a store which does not exist yet must not both create
it: one would see the other's half-made file, fail, and delete it under the other's
feet ("attempt to write a readonly database"), and runs would be lost. So the steps
"does the store exist, create it, bring its schema to head" run under a lock:

* SQLite: an exclusive lock on a sidecar file next to the database
  (``store.sqlite.lock``), taken with the ``filelock`` package (``fcntl.flock`` on
  POSIX). The lock file is left in place afterwards: deleting a lock file that another
  process may be waiting on would let two processes hold "the" lock at once.
* PostgreSQL: a transaction-level advisory lock (``pg_advisory_xact_lock``) taken as
  the first statement of the migration transaction, released by its commit or rollback
  (see :func:`tripolar.store.migrate.upgrade_to_head`).

Saving runs needs no extra lock: SQLite in WAL mode serializes writers itself (with a
busy timeout, so a writer waits instead of failing) and PostgreSQL rows do not conflict.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from tripolar.errors import InputError

#: Longest wait for another process to finish creating or migrating a store, in seconds.
#: Creating the schema takes milliseconds; a longer wait means a process is stuck.
LOCK_TIMEOUT_S = 120.0

#: Advisory-lock key of the migration on PostgreSQL: the first 8 bytes of
#: SHA-256("tripolar.store.migrate") as a signed 64-bit integer, so that it is unlikely
#: to collide with another application's lock on the same database.
PG_MIGRATION_LOCK_KEY = int.from_bytes(
    hashlib.sha256(b"tripolar.store.migrate").digest()[:8], "big", signed=True
)


def lock_path(sqlite_path: Path) -> Path:
    """The sidecar lock file of a SQLite store (``store.sqlite`` -> ``store.sqlite.lock``)."""
    return sqlite_path.with_name(sqlite_path.name + ".lock")


@contextmanager
def sqlite_creation_lock(sqlite_path: Path, *, timeout_s: float | None = None) -> Iterator[None]:
    """Hold the store's sidecar file lock (waiting up to ``timeout_s``, default
    :data:`LOCK_TIMEOUT_S`); the directory must exist."""
    timeout_s = LOCK_TIMEOUT_S if timeout_s is None else timeout_s
    path = lock_path(sqlite_path)
    lock = FileLock(str(path), timeout=timeout_s)
    try:
        lock.acquire()
    except Timeout as exc:
        raise InputError(
            f"another process has held the lock file {path} for more than {timeout_s:g} s",
            file=sqlite_path,
            expected="a store no other process is stuck creating or migrating",
        ) from exc
    except OSError as exc:
        raise InputError(
            f"cannot create the lock file {path} ({exc.strerror})",
            file=sqlite_path,
            expected="a store in a writable directory",
        ) from exc
    try:
        yield
    finally:
        lock.release()
