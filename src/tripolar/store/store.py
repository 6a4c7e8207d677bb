"""The :class:`Store`: save dataset editions, treaty and posture texts, and analysis runs.

Every write is one database transaction. :meth:`Store.run` holds a run's rows in memory
while the analysis computes and writes them all at the end, so an analysis that raises
(or is interrupted) leaves nothing behind, and no write lock is held while it computes.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, String, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from tripolar.errors import InputError
from tripolar.store.hashing import content_hash, is_sha256_hex, to_json_value
from tripolar.store.location import (
    StoreLocation,
    create_store_engine,
    prepare_parent,
    resolve_location,
    writing,
)
from tripolar.store.locking import sqlite_creation_lock
from tripolar.store.migrate import upgrade_to_head
from tripolar.store.models import Base, DatasetEdition, PostureText, Run, TreatyText
from tripolar.store.records import (
    DatasetEditionRecord,
    PostureRecord,
    RunRecord,
    RunSummary,
    TreatyRecord,
)

#: Status of a run that finished and returned its outputs.
STATUS_OK = "ok"


def _now() -> datetime:
    return datetime.now(UTC)


def _tool_version() -> str:
    from tripolar import __version__

    return __version__


def _preview(value: object, limit: int = 40) -> str:
    """``repr`` of the start of a value, short enough for a one-line error."""
    if isinstance(value, str) and len(value) > limit:
        return repr(value[:limit]) + "..."
    return repr(value)


def _column_length(model: type[Base], column: str) -> int:
    """The declared length of a string column, the longest text the store keeps there."""
    column_type = model.__table__.c[column].type
    length = column_type.length if isinstance(column_type, String) else None
    if length is None:
        raise TypeError(f"{model.__name__}.{column} has no length")
    return length


def _check_hash(value: str, what: str) -> str:
    if not is_sha256_hex(value):
        raise InputError(
            f"{what} {_preview(value)} is not a SHA-256 digest",
            field=what,
            expected="64 lowercase hexadecimal characters",
        )
    return value


_NO_NUL = "text without NUL characters (U+0000), which PostgreSQL cannot store"


def _check_text(value: str, what: str, max_len: int) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InputError(
            f"empty or missing {what} ({_preview(value)})",
            field=what,
            expected=f"a non-empty text of at most {max_len} characters",
        )
    if len(value) > max_len:
        raise InputError(
            f"{what} {_preview(value)} is {len(value)} characters long",
            field=what,
            expected=f"at most {max_len} characters, the length of the store's column",
        )
    if "\x00" in value:
        raise InputError(f"{what} {_preview(value)} contains a NUL", field=what, expected=_NO_NUL)
    return value


def _check_document(value: str, what: str) -> str:
    """A stored file's text (treaty or posture YAML): any length, no NUL."""
    if "\x00" in value:
        raise InputError(f"{what} contains a NUL", field=what, expected=_NO_NUL)
    return value


def _refuse_nul(value: Any, what: str, where: str) -> None:
    # A JSON string with U+0000 is valid JSON, but PostgreSQL's jsonb refuses it; refused
    # on every backend so that a store's contents can move between them.
    if isinstance(value, str):
        if "\x00" in value:
            raise InputError(
                f"{what} hold a NUL at {where or 'the top level'}", field=what, expected=_NO_NUL
            )
    elif isinstance(value, dict):
        for key, item in value.items():
            _refuse_nul(key, what, where)
            _refuse_nul(item, what, f"{where}.{key}" if where else key)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _refuse_nul(item, what, f"{where}[{index}]")


def _json_object(value: Mapping[str, Any], what: str) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise TypeError(f"{what} must be a mapping, not {type(value).__name__}")
    result: dict[str, Any] = to_json_value(dict(value))
    _refuse_nul(result, what, "")
    return result


# Pending rows are plain data until the transaction that writes them: nothing touches
# the database while an analysis is still computing.
@dataclass(frozen=True)
class _PendingEdition:
    content_hash: str
    name: str
    files: dict[str, str]


@dataclass(frozen=True)
class _PendingTreaty:
    treaty_id: str
    yaml_text: str


@dataclass(frozen=True)
class _PendingPosture:
    party: str
    as_of: str
    yaml_text: str


_Pending = _PendingEdition | _PendingTreaty | _PendingPosture
_Texts = DatasetEdition | TreatyText | PostureText


def _edition(content_hash_: str, name: str, files: Mapping[str, str]) -> _PendingEdition:
    _check_hash(content_hash_, "content_hash")
    _check_text(name, "name", _column_length(DatasetEdition, "name"))
    checked: dict[str, str] = {}
    for filename, digest in files.items():
        _check_text(filename, "files", 500)
        checked[filename] = _check_hash(digest, f"files[{filename}]")
    return _PendingEdition(content_hash_, name, checked)


def _treaty(treaty_id: str, yaml_text: str) -> _PendingTreaty:
    return _PendingTreaty(
        _check_text(treaty_id, "treaty_id", _column_length(TreatyText, "treaty_id")),
        _check_document(yaml_text, "treaty text"),
    )


def _posture(party: str, as_of: str | date | int, yaml_text: str) -> _PendingPosture:
    text = as_of.isoformat() if isinstance(as_of, date) else str(as_of)
    return _PendingPosture(
        _check_text(party, "party", _column_length(PostureText, "party")),
        _check_text(text, "as_of", _column_length(PostureText, "as_of")),
        _check_document(yaml_text, "posture text"),
    )


def _insert_or_get(
    session: Session, model: type[_Texts], key: dict[str, str], **values: Any
) -> int:
    """The id of the row matching ``key`` (a unique constraint), inserting it if absent.

    Two processes saving the same text at the same moment must both succeed: the insert
    skips a row that a concurrent transaction has just written (``ON CONFLICT DO
    NOTHING`` waits for that transaction on PostgreSQL), and the second look-up finds it.
    """
    query = select(model.id).filter_by(**key)
    found = session.scalar(query)
    if found is not None:
        return found
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = (
        insert(model).values(**key, **values).on_conflict_do_nothing(index_elements=list(key))
    )
    session.execute(statement)
    return session.scalars(query).one()


def _write_pending(session: Session, item: _Pending, now: datetime) -> int:
    """Write one pending row unless an identical one is stored; return its id."""
    if isinstance(item, _PendingEdition):
        return _insert_or_get(
            session,
            DatasetEdition,
            {"content_hash": item.content_hash},
            name=item.name,
            created_at=now,
            files=item.files,
        )
    digest = content_hash(item.yaml_text)
    if isinstance(item, _PendingTreaty):
        return _insert_or_get(
            session,
            TreatyText,
            {"treaty_id": item.treaty_id, "content_hash": digest},
            yaml_text=item.yaml_text,
            saved_at=now,
        )
    return _insert_or_get(
        session,
        PostureText,
        {"party": item.party, "as_of": item.as_of, "content_hash": digest},
        yaml_text=item.yaml_text,
        saved_at=now,
    )


def _run_record(row: Run) -> RunRecord:
    return RunRecord(
        id=row.id,
        command=row.command,
        tool_version=row.tool_version,
        started_at=row.started_at,
        finished_at=row.finished_at,
        inputs=row.inputs,
        inputs_hash=row.inputs_hash,
        dataset_hash=row.dataset_hash,
        outputs=row.outputs,
        status=row.status,
    )


@dataclass
class RunHandle:
    """What the body of ``with store.run(...) as run:`` fills in.

    Set :attr:`outputs` (and, for a negative finding, :attr:`status`); texts passed to
    the ``add_*`` methods are saved in the same transaction as the run. After the block
    exits normally, :attr:`record` holds the saved run.
    """

    command: str
    inputs: dict[str, Any]
    inputs_hash: str
    dataset_hash: str | None
    tool_version: str
    started_at: datetime
    outputs: Mapping[str, Any] = field(default_factory=dict)
    status: str = STATUS_OK
    record: RunRecord | None = None
    _pending: list[_Pending] = field(default_factory=list, repr=False)

    def add_dataset_edition(self, content_hash: str, name: str, files: Mapping[str, str]) -> str:
        """Save a dataset edition with this run; returns its content hash."""
        self._pending.append(_edition(content_hash, name, files))
        return content_hash

    def add_treaty(self, treaty_id: str, yaml_text: str) -> str:
        """Save a treaty text with this run; returns the text's content hash."""
        self._pending.append(_treaty(treaty_id, yaml_text))
        return content_hash(yaml_text)

    def add_posture(self, party: str, as_of: str | date | int, yaml_text: str) -> str:
        """Save a posture text with this run; returns the text's content hash."""
        self._pending.append(_posture(party, as_of, yaml_text))
        return content_hash(yaml_text)

    @property
    def id(self) -> int | None:
        """The run's id once saved, else ``None``."""
        return self.record.id if self.record is not None else None


class Store:
    """An open tripolar store. Use :func:`open_store` to get one.

    A SQLite store that does not exist yet is created (and migrated) by its first read
    or write, not when it is opened: a command whose run is refused before saving, for
    bad input, leaves no file behind.
    """

    def __init__(self, location: StoreLocation, engine: Engine | None = None) -> None:
        self._location = location
        self._engine = engine
        self._connecting = threading.Lock()

    @property
    def location(self) -> str:
        """Where the store is (file path, or URL with any password hidden)."""
        return self._location.display

    @property
    def engine(self) -> Engine:
        """The store's engine; a new store is created and migrated on first use."""
        if self._engine is None:
            with self._connecting:
                if self._engine is None:
                    self._engine = _connect(self._location)
        return self._engine

    def close(self) -> None:
        """Release the store's database connections."""
        if self._engine is not None:
            self._engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Store({self.location!r})"

    @contextmanager
    def _transaction(self) -> Iterator[Session]:
        try:
            bind = writing(self.engine)
            with Session(bind, expire_on_commit=False) as session, session.begin():
                yield session
        except DBAPIError as exc:
            raise InputError(
                f"database error ({exc.orig})", file=self.location, expected="a writable store"
            ) from exc

    # Dataset editions, treaties and postures -------------------------------------------

    def save_dataset_edition(self, content_hash: str, name: str, files: Mapping[str, str]) -> int:
        """Save an edition of the force data (idempotent on its hash); return its id.

        ``files`` maps each file name to its SHA-256; ``content_hash`` is the hash of the
        whole edition as the data loader computes it.
        """
        item = _edition(content_hash, name, files)
        with self._transaction() as session:
            return _write_pending(session, item, _now())

    def save_treaty(self, treaty_id: str, yaml_text: str) -> int:
        """Save a treaty's YAML text (idempotent on id and content hash); return its row id."""
        item = _treaty(treaty_id, yaml_text)
        with self._transaction() as session:
            return _write_pending(session, item, _now())

    def save_posture(self, party: str, as_of: str | date | int, yaml_text: str) -> int:
        """Save a posture's YAML text (idempotent on party, date and hash); return its row id."""
        item = _posture(party, as_of, yaml_text)
        with self._transaction() as session:
            return _write_pending(session, item, _now())

    def get_dataset_edition(self, content_hash: str) -> DatasetEditionRecord:
        """The dataset edition with this hash (InputError if it was never saved)."""
        with Session(self.engine) as session:
            row = session.scalar(
                select(DatasetEdition).where(DatasetEdition.content_hash == content_hash)
            )
            if row is None:
                raise InputError(f"no dataset edition with hash {content_hash}", file=self.location)
            return DatasetEditionRecord(
                id=row.id,
                content_hash=row.content_hash,
                name=row.name,
                created_at=row.created_at,
                files=dict(row.files),
            )

    def get_treaty(self, treaty_id: str, content_hash: str) -> TreatyRecord:
        """The saved text of a treaty at one content hash (InputError if absent)."""
        with Session(self.engine) as session:
            row = session.scalar(
                select(TreatyText).where(
                    TreatyText.treaty_id == treaty_id, TreatyText.content_hash == content_hash
                )
            )
            if row is None:
                raise InputError(
                    f"no treaty {treaty_id!r} with hash {content_hash}", file=self.location
                )
            return TreatyRecord(
                row.id, row.treaty_id, row.content_hash, row.yaml_text, row.saved_at
            )

    def get_posture(self, content_hash: str) -> PostureRecord:
        """The saved posture text with this content hash (InputError if absent)."""
        with Session(self.engine) as session:
            row = session.scalar(
                select(PostureText)
                .where(PostureText.content_hash == content_hash)
                .order_by(PostureText.id)
            )
            if row is None:
                raise InputError(f"no posture with hash {content_hash}", file=self.location)
            return PostureRecord(
                row.id, row.party, row.as_of, row.content_hash, row.yaml_text, row.saved_at
            )

    # Runs ------------------------------------------------------------------------------

    def record_run(
        self,
        command: str,
        inputs: Mapping[str, Any],
        outputs: Mapping[str, Any],
        *,
        dataset_hash: str | None,
        tool_version: str | None = None,
        status: str = STATUS_OK,
        started_at: datetime | None = None,
    ) -> RunRecord:
        """Save one finished run in one transaction and return it as stored.

        ``inputs`` must hold everything needed to repeat the run (options, seeds, hashes of
        the treaty/posture texts and dataset used); ``inputs_hash`` is the SHA-256 of their
        canonical JSON. ``started_at`` defaults to now (a run that was not timed).
        """
        handle = self._handle(command, inputs, dataset_hash, tool_version, started_at)
        handle.outputs = outputs
        handle.status = status
        return self._commit(handle)

    @contextmanager
    def run(
        self,
        command: str,
        inputs: Mapping[str, Any],
        *,
        dataset_hash: str | None,
        tool_version: str | None = None,
    ) -> Iterator[RunHandle]:
        """Time an analysis and save it when the block finishes normally.

        ::

            with store.run("assess", inputs, dataset_hash=h) as run:
                run.outputs = compute(...).to_dict()
            print(run.id)

        An exception (including ``KeyboardInterrupt``) inside the block saves nothing and
        propagates unchanged.
        """
        handle = self._handle(command, inputs, dataset_hash, tool_version, None)
        yield handle
        self._commit(handle)

    def _handle(
        self,
        command: str,
        inputs: Mapping[str, Any],
        dataset_hash: str | None,
        tool_version: str | None,
        started_at: datetime | None,
    ) -> RunHandle:
        _check_text(command, "command", _column_length(Run, "command"))
        if dataset_hash is not None:
            _check_hash(dataset_hash, "dataset_hash")
        # Copied and hashed now: later changes by the caller cannot alter what is recorded.
        plain_inputs = _json_object(inputs, "inputs")
        version = _check_text(
            tool_version or _tool_version(), "tool_version", _column_length(Run, "tool_version")
        )
        if started_at is not None and started_at.tzinfo is None:
            raise ValueError("started_at must be timezone-aware")
        return RunHandle(
            command=command,
            inputs=plain_inputs,
            inputs_hash=content_hash(plain_inputs),
            dataset_hash=dataset_hash,
            tool_version=version,
            started_at=started_at or _now(),
        )

    def _commit(self, handle: RunHandle) -> RunRecord:
        outputs = _json_object(handle.outputs, "outputs")
        status = _check_text(handle.status, "status", _column_length(Run, "status"))
        finished_at = _now()
        with self._transaction() as session:
            for item in handle._pending:
                _write_pending(session, item, finished_at)
            row = Run(
                command=handle.command,
                tool_version=handle.tool_version,
                started_at=handle.started_at,
                finished_at=max(finished_at, handle.started_at),
                inputs=handle.inputs,
                inputs_hash=handle.inputs_hash,
                dataset_hash=handle.dataset_hash,
                outputs=outputs,
                status=status,
            )
            session.add(row)
            session.flush()
            record = _run_record(row)
        handle.record = record
        return record

    def list_runs(self, limit: int = 20, command: str | None = None) -> list[RunSummary]:
        """The newest ``limit`` runs, newest first, optionally of one command only."""
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise InputError(f"bad limit {limit!r}", field="limit", expected="an integer >= 1")
        query = select(Run).order_by(Run.id.desc()).limit(limit)
        if command is not None:
            query = query.where(Run.command == command)
        with Session(self.engine) as session:
            return [_run_record(row).summary() for row in session.scalars(query)]

    def get_run(self, run_id: int) -> RunRecord:
        """The run with this id; an unknown id is an :class:`InputError`."""
        with Session(self.engine) as session:
            row = session.get(Run, run_id)
            if row is None:
                raise InputError(
                    f"no run with id {run_id}",
                    file=self.location,
                    expected="an id listed by `tripolar runs`",
                )
            return _run_record(row)


def open_store(location: str | Path | None = None, *, create: bool = True) -> Store:
    """Open (and if needed create and migrate) the store at ``location``.

    ``location`` is a file path or an SQLAlchemy URL (``sqlite:///...``,
    ``postgresql+psycopg://...``); ``None`` means ``$TRIPOLAR_STORE`` or the per-user
    default file. With ``create`` false a SQLite file that does not exist is an error
    (for commands that only read). Problems with the location are
    :class:`InputError` naming it, raised here.

    An existing store (and any PostgreSQL database) is migrated here. A SQLite file that
    does not exist yet is created by the store's first read or write, so that validation
    errors raised before a run is saved leave no file; a new file is removed again if
    creating it fails.
    """
    where = resolve_location(location, create=create)
    if where.sqlite_path is not None and not where.sqlite_path.exists():
        return Store(where)
    return Store(where, _connect(where, create=create))


def _connect(where: StoreLocation, *, create: bool = True) -> Engine:
    """Create the store if it does not exist, migrate it, and return its engine.

    For a SQLite file, "does it exist", creating it, migrating it and (if that fails)
    deleting it again all happen under the store's lock file, so that a process never
    sees, or deletes, a store that another one is still creating.
    """
    if where.sqlite_path is None:
        return _migrated_engine(where, created=False, create=create)
    prepare_parent(where)
    with sqlite_creation_lock(where.sqlite_path):
        created = not where.sqlite_path.exists()
        return _migrated_engine(where, created=created, create=create)


def _migrated_engine(where: StoreLocation, *, created: bool, create: bool) -> Engine:
    engine = create_store_engine(where)
    try:
        upgrade_to_head(engine, display=where.display, create=create)
    except InputError:
        _discard(engine, where, created)
        raise
    except DBAPIError as exc:
        _discard(engine, where, created)
        raise InputError(
            f"cannot open the store ({exc.orig})",
            file=where.display,
            expected="a tripolar store (SQLite file or PostgreSQL database) that can be written",
        ) from exc
    except BaseException:
        _discard(engine, where, created)
        raise
    return engine


def _discard(engine: Engine, where: StoreLocation, created: bool) -> None:
    engine.dispose()
    if created and where.sqlite_path is not None:
        for suffix in ("", "-wal", "-shm"):
            where.sqlite_path.with_name(where.sqlite_path.name + suffix).unlink(missing_ok=True)
