"""Where the store lives: a SQLite file path or a database URL, checked before use.

``None`` means the ``TRIPOLAR_STORE`` environment variable, or else a per-user data
file (``~/.local/share/tripolar/store.sqlite`` on Linux). Every problem with the location
becomes an :class:`~tripolar.errors.InputError` naming it and saying what was expected,
before any file is created.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import URL, Engine, create_engine, event, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError
from sqlalchemy.pool import StaticPool

from tripolar.errors import InputError

#: Environment variable that overrides the default store location.
STORE_ENV = "TRIPOLAR_STORE"

_SQLITE_MAGIC = b"SQLite format 3\x00"
_EXPECTED = "a SQLite file path or a sqlite:/// or postgresql:// URL"


@dataclass(frozen=True)
class StoreLocation:
    """A checked location: its URL, a printable name, and the SQLite file if any."""

    url: URL
    display: str
    sqlite_path: Path | None

    @property
    def is_memory(self) -> bool:
        return self.url.get_backend_name() == "sqlite" and self.sqlite_path is None


def default_store_path() -> Path:
    """The per-user store file for this platform (the directory may not exist yet)."""
    home = Path.home()
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or home / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = home / "Library" / "Application Support"
    else:
        xdg = os.environ.get("XDG_DATA_HOME", "")
        # The XDG spec says a relative value is invalid and must be ignored.
        base = Path(xdg) if xdg and Path(xdg).is_absolute() else home / ".local" / "share"
    return base / "tripolar" / "store.sqlite"


def resolve_location(location: str | Path | None, *, create: bool = True) -> StoreLocation:
    """Turn a path, URL or ``None`` into a checked :class:`StoreLocation`.

    With ``create`` true a missing SQLite file (and its directory) may be created later
    by opening the store; with ``create`` false the file must already exist.
    """
    if location is None:
        location = os.environ.get(STORE_ENV, "").strip() or default_store_path()
    if isinstance(location, str) and "://" in location:
        return _from_url(location, create=create)
    if str(location).strip() == "":
        raise InputError("empty store location", expected=_EXPECTED)
    return _from_path(Path(location).expanduser(), create=create)


def _from_url(text: str, *, create: bool) -> StoreLocation:
    try:
        url = make_url(text)
    except ArgumentError as exc:
        raise InputError(
            f"cannot parse the store URL {_hide_password(text)!r}", expected=_EXPECTED
        ) from exc
    backend = url.get_backend_name()
    display = url.render_as_string(hide_password=True)
    if backend == "sqlite":
        database = url.database or ""
        if database in ("", ":memory:") or database.startswith("file:"):
            return StoreLocation(url=url, display=display, sqlite_path=None)
        checked = _from_path(Path(database).expanduser(), create=create)
        return StoreLocation(url=checked.url, display=display, sqlite_path=checked.sqlite_path)
    if backend == "postgresql":
        if url.drivername == "postgresql":
            # SQLAlchemy's default PostgreSQL driver is psycopg2; tripolar ships psycopg 3.
            url = url.set(drivername="postgresql+psycopg")
        return StoreLocation(url=url, display=display, sqlite_path=None)
    raise InputError(
        f"unsupported database {backend!r} in store URL", file=display, expected=_EXPECTED
    )


def _hide_password(text: str) -> str:
    # A URL that does not parse may still carry a password: never echo it.
    head, sep, tail = text.partition("://")
    if not sep or "@" not in tail:
        return text
    userinfo, _, rest = tail.rpartition("@")
    user = userinfo.split(":", 1)[0]
    return f"{head}://{user}:***@{rest}"


def _from_path(path: Path, *, create: bool) -> StoreLocation:
    path = path.absolute()
    url = URL.create("sqlite", database=str(path))
    _check_name_lengths(path)
    try:
        exists = path.exists()
        if exists:
            _check_sqlite_file(path)
        elif create:
            _check_parent(path)
    except OSError as exc:
        raise InputError(
            f"cannot use this path ({exc.strerror})", file=path, expected="a usable file path"
        ) from exc
    if not exists and not create:
        raise InputError(
            "no tripolar store here",
            file=path,
            expected="a store that an analysis command such as `tripolar assess` has written",
        )
    return StoreLocation(url=url, display=str(path), sqlite_path=path)


#: Longest suffix SQLite or the store adds to the store's file name for a file beside it:
#: ``-journal`` (while a new file is created), ``-wal``, ``-shm`` and ``.lock``.
_SIDECAR_SUFFIXES = ("-journal", "-wal", "-shm", ".lock")
_SIDECAR_ROOM = max(len(suffix) for suffix in _SIDECAR_SUFFIXES)


def _name_max(path: Path) -> int:
    """The longest file name, in bytes, on the file system of the nearest existing parent."""
    pathconf = getattr(os, "pathconf", None)
    for parent in path.parents:
        if pathconf is None:
            break
        try:
            return int(pathconf(parent, "PC_NAME_MAX"))
        except (OSError, ValueError):
            continue
    return 255


def _check_name_lengths(path: Path) -> None:
    """Refuse a name too long for the file system before anything touches it."""
    name_max = _name_max(path)
    for part in path.parent.parts[1:]:
        size = len(os.fsencode(part))
        if size > name_max:
            raise InputError(
                f"directory name {_shorten(part)} is {size} bytes long",
                file=path,
                expected=f"directory names of at most {name_max} bytes on this file system",
            )
    size = len(os.fsencode(path.name))
    limit = name_max - _SIDECAR_ROOM
    if size > limit:
        raise InputError(
            f"file name {_shorten(path.name)} is {size} bytes long",
            file=path,
            expected=f"a store file name of at most {limit} bytes: this file system allows "
            f"{name_max}, and the files kept beside the store add up to {_SIDECAR_ROOM} bytes "
            f"to its name ({', '.join(_SIDECAR_SUFFIXES)})",
        )


def _shorten(name: str, limit: int = 40) -> str:
    return repr(name if len(name) <= limit else name[:limit] + "...")


def _check_sqlite_file(path: Path) -> None:
    if not path.is_file():
        raise InputError("not a regular file", file=path, expected="a SQLite database file")
    try:
        with path.open("rb") as fh:
            head = fh.read(len(_SQLITE_MAGIC))
    except OSError as exc:
        raise InputError(f"cannot read ({exc.strerror})", file=path) from exc
    # An empty file is a valid, empty SQLite database.
    if head and head != _SQLITE_MAGIC:
        raise InputError("not a SQLite database", file=path, expected="a tripolar store file")
    if not os.access(path, os.W_OK):
        raise InputError("store file is not writable", file=path, expected="a writable file")


def _check_parent(path: Path) -> None:
    parent = path.parent
    existing = parent
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        raise InputError(
            f"cannot create the store: {existing} is not a directory",
            file=path,
            expected="a path inside a directory",
        )
    if not os.access(existing, os.W_OK | os.X_OK):
        raise InputError(
            f"cannot create the store: directory {existing} is not writable",
            file=path,
            expected="a path inside a writable directory",
        )


def prepare_parent(location: StoreLocation) -> None:
    """Create the SQLite file's directory (and its parents) if needed."""
    path = location.sqlite_path
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(
            f"cannot create directory {path.parent} ({exc.strerror})",
            file=path,
            expected="a path inside a writable directory",
        ) from exc


#: How long a SQLite connection waits for another writer before failing, in ms. A save is
#: one short transaction; 30 s covers many processes saving at the same moment.
SQLITE_BUSY_TIMEOUT_MS = 30_000

#: How long connecting to a PostgreSQL server may take before it is reported, in seconds.
PG_CONNECT_TIMEOUT_S = 10

#: Execution option naming how a SQLite transaction begins ("IMMEDIATE" for writes).
SQLITE_BEGIN_OPTION = "tripolar_sqlite_begin"


def create_store_engine(location: StoreLocation) -> Engine:
    """An engine for ``location``.

    SQLite connections get real transactions, WAL mode (readers never block the writer)
    and a busy timeout (a writer waits for another instead of failing with "database is
    locked"); PostgreSQL connections get a connect timeout.
    """
    kwargs: dict[str, Any] = {}
    if location.is_memory:
        # One shared connection, or every checkout would see a new, empty database.
        kwargs["poolclass"] = StaticPool
        kwargs["connect_args"] = {"check_same_thread": False}
    elif location.url.get_backend_name() == "postgresql":
        kwargs["connect_args"] = {"connect_timeout": PG_CONNECT_TIMEOUT_S}
    try:
        engine = create_engine(location.url, **kwargs)
    except (NoSuchModuleError, ImportError) as exc:
        raise InputError(
            f"no database driver installed for {location.url.drivername!r}",
            file=location.display,
            expected="a sqlite:/// URL, or install the driver: pip install 'tripolar[postgresql]'",
        ) from exc
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine, wal=not location.is_memory)
    return engine


def writing(engine: Engine) -> Engine:
    """The same engine, with SQLite transactions that take the write lock when they begin.

    A deferred SQLite transaction that reads and then writes cannot wait for another
    writer in WAL mode: if that writer commits in between, the upgrade from reader to
    writer fails at once (SQLITE_BUSY_SNAPSHOT). ``BEGIN IMMEDIATE`` waits for the write
    lock up front, under the busy timeout. Other backends ignore the option.
    """
    return engine.execution_options(**{SQLITE_BEGIN_OPTION: "IMMEDIATE"})


def _configure_sqlite(engine: Engine, *, wal: bool) -> None:
    """Real transactions, busy timeout and WAL on every SQLite connection.

    Python's ``sqlite3`` module (before 3.16) opens transactions only before INSERT,
    UPDATE and DELETE; a migration's CREATE TABLE would otherwise commit on its own.
    This is the recipe of the SQLAlchemy SQLite dialect documentation.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
            if wal:
                # Persistent in the file; on a store already in WAL mode this is a no-op.
                cursor.execute("PRAGMA journal_mode = WAL")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        immediate = connection.get_execution_options().get(SQLITE_BEGIN_OPTION) == "IMMEDIATE"
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
