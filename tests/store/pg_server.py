"""A throwaway PostgreSQL server for the store tests: its own cluster in a temp directory.

:func:`start_server` finds ``initdb`` and ``pg_ctl`` (``$TRIPOLAR_PG_BINDIR``, then
``/usr/lib/postgresql/<version>/bin`` as Debian installs them, newest first, then
``$PATH``), creates a cluster in a new temp directory whose unix socket also lives
there, starts it on a free port on 127.0.0.1 and returns a :class:`PostgresServer`;
:meth:`PostgresServer.stop` stops it and deletes the directory. Nothing here talks to a
server that was already running.

PostgreSQL refuses to run as root. When the tests run as root (as CI does), ``initdb``
and ``pg_ctl`` run as the ``postgres`` OS user that the Debian package creates, through
``runuser -u postgres --``, and the temp directory is handed to that user.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import re
import shlex
import shutil
import socket
import subprocess
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

#: The superuser of the throwaway cluster (``initdb -U``), trusted on 127.0.0.1 only.
SUPERUSER = "tripolar"
_START_TIMEOUT_S = 60


class ServerUnavailable(RuntimeError):
    """PostgreSQL server binaries are missing, or the server could not be started."""


def _version_key(bindir: str) -> tuple[int, ...]:
    match = re.search(r"/postgresql/([\d.]+)/bin$", bindir)
    return tuple(int(p) for p in match.group(1).split(".")) if match else ()


def find_bindir() -> Path:
    """The directory holding ``initdb`` and ``pg_ctl``."""
    candidates: list[str] = []
    if os.environ.get("TRIPOLAR_PG_BINDIR"):
        candidates.append(os.environ["TRIPOLAR_PG_BINDIR"])
    candidates += sorted(
        (os.path.dirname(p) for p in glob.glob("/usr/lib/postgresql/*/bin/initdb")),
        key=_version_key,
        reverse=True,
    )
    on_path = shutil.which("initdb")
    if on_path:
        candidates.append(os.path.dirname(on_path))
    for bindir in candidates:
        if all(os.access(os.path.join(bindir, tool), os.X_OK) for tool in ("initdb", "pg_ctl")):
            return Path(bindir)
    raise ServerUnavailable(
        "PostgreSQL server binaries (initdb, pg_ctl) not found in $TRIPOLAR_PG_BINDIR, "
        "/usr/lib/postgresql/*/bin or $PATH; install them with "
        "`apt-get install postgresql` (Debian/Ubuntu), as .ci/run does"
    )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _as_server_user() -> tuple[list[str], pwd.struct_passwd | None]:
    """The command prefix that runs a tool as a non-root user, and that user."""
    if os.geteuid() != 0:
        return [], None
    try:
        user = pwd.getpwnam("postgres")
    except KeyError as exc:
        raise ServerUnavailable(
            "running as root, and there is no `postgres` OS user to run the server as "
            "(the Debian postgresql package creates it)"
        ) from exc
    runuser = shutil.which("runuser")
    if runuser is None:
        return ["su", "postgres", "-s", "/bin/sh", "-c"], user
    return [runuser, "-u", "postgres", "--"], user


@dataclass
class PostgresServer:
    """A running throwaway cluster; :attr:`admin_url` reaches its ``postgres`` database."""

    bindir: Path
    root: Path
    port: int
    prefix: list[str]
    version_num: int = 0

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    def url(self, database: str) -> str:
        """The SQLAlchemy URL of ``database`` on this server (over TCP, trusted)."""
        return f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    @property
    def admin_url(self) -> str:
        return self.url("postgres")

    def create_database(self) -> str:
        """A new, empty database; returns its name."""
        name = f"t_{uuid.uuid4().hex[:16]}"
        # FILE_COPY (PostgreSQL 15+) copies the small template faster than WAL_LOG.
        strategy = " STRATEGY FILE_COPY" if self.version_num >= 150000 else ""
        self._admin(f'CREATE DATABASE "{name}"{strategy}')
        return name

    def drop_database(self, name: str) -> None:
        self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def _admin(self, sql: str) -> str | None:
        """Run one statement in the ``postgres`` database; the first value it returns."""
        import psycopg

        with psycopg.connect(
            host="127.0.0.1", port=self.port, user=SUPERUSER, dbname="postgres", autocommit=True
        ) as conn:
            cursor = conn.execute(sql.encode())
            row = cursor.fetchone() if cursor.description else None
        return None if row is None else str(row[0])

    def stop(self) -> None:
        """Stop the server (fast shutdown) and delete its directory."""
        try:
            _run(
                self.prefix,
                [str(self.bindir / "pg_ctl"), "stop", "-D", str(self.data_dir), "-m", "fast", "-w"],
            )
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


def _run(prefix: list[str], argv: list[str]) -> subprocess.CompletedProcess[str]:
    # su -c takes one shell command line; runuser -- (and no prefix) take the vector.
    command = [*prefix, shlex.join(argv)] if prefix[-1:] == ["-c"] else [*prefix, *argv]
    return subprocess.run(
        command, capture_output=True, text=True, timeout=_START_TIMEOUT_S, check=False
    )


def start_server() -> PostgresServer:
    """Create and start a throwaway cluster (see the module docstring)."""
    bindir = find_bindir()
    prefix, user = _as_server_user()
    # A short path under the system temp dir: the socket path must stay under 107 bytes,
    # and pytest's own temp dirs (mode 700, owned by root) are closed to the postgres user.
    root = Path(tempfile.mkdtemp(prefix="tripolar-pg-"))
    try:
        if user is not None:
            os.chown(root, user.pw_uid, user.pw_gid)
        data = root / "data"
        init = _run(
            prefix,
            [
                str(bindir / "initdb"),
                "-D",
                str(data),
                "-U",
                SUPERUSER,
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-locale",
                "--no-sync",
            ],
        )
        if init.returncode != 0:
            raise ServerUnavailable(f"initdb failed: {init.stderr.strip() or init.stdout.strip()}")
        last_error = ""
        for _attempt in range(3):  # another process may take the free port first
            port = _free_port()
            # A throwaway cluster: durability settings off, for speed only.
            options = (
                f"-p {port} -k {root} -h 127.0.0.1 -F -c full_page_writes=off "
                "-c synchronous_commit=off -c max_connections=100"
            )
            started = _run(
                prefix,
                [
                    str(bindir / "pg_ctl"),
                    "start",
                    "-w",
                    "-t",
                    str(_START_TIMEOUT_S),
                    "-D",
                    str(data),
                    "-l",
                    str(root / "server.log"),
                    "-o",
                    options,
                ],
            )
            if started.returncode == 0:
                server = PostgresServer(bindir=bindir, root=root, port=port, prefix=prefix)
                server.version_num = int(server._admin("SHOW server_version_num") or 0)
                return server
            with contextlib.suppress(OSError):
                last_error = (root / "server.log").read_text()[-2000:]
            last_error = last_error or started.stderr.strip()
        raise ServerUnavailable(f"pg_ctl start failed: {last_error}")
    except BaseException:
        shutil.rmtree(root, ignore_errors=True)
        raise


def in_ci() -> bool:
    """True when ``$CI`` is set to anything but an empty, "0", "false" or "no" value."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def start_server_for_tests() -> PostgresServer:
    """:func:`start_server`, or fail the tests under CI, or skip them locally."""
    try:
        return start_server()
    except ServerUnavailable as exc:
        if in_ci():
            pytest.fail(f"CI is set, so the PostgreSQL store tests must run: {exc}", pytrace=False)
        pytest.skip(f"no PostgreSQL server for the store tests ({exc}); CI fails instead")
