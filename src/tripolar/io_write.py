"""The one way tripolar writes an output file: checked first, then written atomically.

Every file a command writes (reports, schemas, plots, escrow files, bulletins) goes
through :func:`write_atomic`, :func:`write_many_atomic` or :func:`atomic_open`:

- the target is checked first (:func:`check_output_path`): it must be a regular file or
  not exist yet, in an existing folder. Devices (``/dev/full``, ``/dev/null``),
  directories, FIFOs, sockets, a path below a regular file, a dangling symlink and a
  symlink loop are refused with an :class:`~tripolar.errors.InputError` (one line, exit 2);
- a symlink to an existing regular file is written *through*: the file it points to is
  replaced, the link itself stays;
- the data go to a temporary file in the target's own folder (so the rename never crosses
  file systems), are flushed and ``fsync``-ed, and the temporary file is renamed over the
  target, so a reader sees the old file or the new one, never half of one; on any error
  the temporary file is removed and the target is untouched;
- permissions: a new file gets ``0o666`` less the user's umask (the kernel applies it,
  as for any file the user creates); a file that replaces an existing one keeps that
  file's permission bits, so a write never widens access the user had narrowed; an
  explicit ``mode=`` (``0o600`` for the escrow's private file) is applied exactly, and
  the temporary file is created with it, so a private file is never readable by others
  even for an instant.

Call :func:`check_output_path` on every output option before a long computation starts,
so that ``assess --out DIR/`` fails at once rather than after the whole run.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import BinaryIO, NoReturn

from tripolar.errors import InputError

__all__ = ["Data", "atomic_open", "check_output_path", "write_atomic", "write_many_atomic"]

#: What a file can be written from: text (UTF-8), bytes, or an iterable of byte chunks
#: (written as they come, never held whole).
Data = str | bytes | Iterable[bytes]

_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISSOCK, "a socket"),
)
_EXPECTED = "a regular file, or a new file in an existing folder"


def _kind(mode: int) -> str:
    for test, name in _KINDS:
        if test(mode):
            return name
    return "not a regular file"


def _refuse(path: str | Path, what: str, field: str | None, expected: str = _EXPECTED) -> NoReturn:
    raise InputError(what, file=path, field=field, expected=expected)


def _check_folder(target: Path, shown: str | Path, field: str | None, create: bool) -> None:
    folder = target.parent
    try:
        st = os.stat(folder)
    except FileNotFoundError:
        if not create:
            _refuse(shown, f"folder {str(folder)!r} does not exist", field, "an existing folder")
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            _refuse(shown, f"cannot create folder {str(folder)!r} ({exc.strerror})", field)
        return
    except NotADirectoryError:
        _refuse(shown, "a parent of the path is a regular file, not a folder", field)
    except OSError as exc:
        _refuse(shown, f"cannot reach folder {str(folder)!r} ({exc.strerror})", field)
    if not stat.S_ISDIR(st.st_mode):
        _refuse(shown, "a parent of the path is a regular file, not a folder", field)
    if not os.access(folder, os.W_OK | os.X_OK):
        _refuse(shown, f"folder {str(folder)!r} is not writable", field, "a writable folder")


def _resolve(path: str | Path, field: str | None, create_dirs: bool) -> tuple[Path, int | None]:
    """The file to replace (symlinks followed) and its permission bits (None if new)."""
    if isinstance(path, str) and path.endswith(("/", os.sep)):
        # pathlib drops a trailing slash, so "out/" would silently become a file "out".
        _refuse(path, "the path names a directory (ends with '/')", field)
    p = Path(path)
    if str(p) in ("", "."):
        _refuse(path, "empty path", field)
    try:
        lst = os.lstat(p)
    except FileNotFoundError:
        _check_folder(p, path, field, create_dirs)
        return p, None
    except NotADirectoryError:
        _refuse(path, "a parent of the path is a regular file, not a folder", field)
    except OSError as exc:
        _refuse(path, f"cannot examine the path ({exc.strerror})", field)
    target = p
    st = lst
    if stat.S_ISLNK(lst.st_mode):
        try:
            st = os.stat(p)
        except FileNotFoundError:
            _refuse(path, "dangling symlink (its target does not exist)", field)
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                _refuse(path, "symlink loop", field)
            _refuse(path, f"cannot follow the symlink ({exc.strerror})", field)
        target = Path(os.path.realpath(p))
    if not stat.S_ISREG(st.st_mode):
        _refuse(path, f"is {_kind(st.st_mode)}", field)
    _check_folder(target, path, field, False)
    return target, stat.S_IMODE(st.st_mode)


def check_output_path(
    path: str | Path, *, field: str | None = None, create_dirs: bool = False
) -> Path:
    """Check that ``path`` can be written as an output file; return the file to replace.

    Call it on an output option before a long computation. The result is ``path`` itself,
    or the regular file a symlink points to. ``field`` names the option in the message
    (``--out``). With ``create_dirs`` a missing folder is allowed (and created on write).

    Raises :class:`~tripolar.errors.InputError` for a device, directory, FIFO, socket, a
    path below a regular file, a dangling symlink, a symlink loop, a missing folder (unless
    ``create_dirs``) or a folder the user cannot write.
    """
    return _resolve(path, field, create_dirs)[0]


def _open_temp(target: Path, mode: int | None, old_mode: int | None) -> tuple[int, Path]:
    # An explicit mode is the creation mode too, so a private file is never wider; without
    # one the kernel applies the umask to 0o666, as for any new file of the user.
    create_mode = 0o666 if mode is None else mode
    for _ in range(100):
        tmp = target.with_name(f".{target.name}.{secrets.token_hex(6)}.tmp")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, create_mode)
        except FileExistsError:
            continue
        try:
            if mode is not None:
                os.fchmod(fd, mode)
            elif old_mode is not None:
                os.fchmod(fd, old_mode)
        except BaseException:
            os.close(fd)
            os.unlink(tmp)
            raise
        return fd, tmp
    raise FileExistsError(errno.EEXIST, "no free temporary name", str(target))


def _fsync_folder(folder: Path) -> None:
    # The rename is durable only once the folder's entry is on disk; some file systems
    # refuse to open or fsync a folder, which costs durability, not correctness.
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _cannot_write(path: str | Path, exc: OSError, field: str | None) -> InputError:
    return InputError(f"cannot write ({exc.strerror or exc})", file=path, field=field)


class _Pending:
    """A written, fsync-ed temporary file waiting to be renamed over its target."""

    def __init__(self, shown: str | Path, target: Path, tmp: Path, field: str | None) -> None:
        self.shown, self.target, self.tmp, self.field = shown, target, tmp, field
        self.done = False

    def commit(self) -> None:
        # Re-check just before the rename: the target may have changed during a long write.
        current, _ = _resolve(self.shown, self.field, False)
        if current != self.target:
            _refuse(self.shown, "the path changed while it was being written", self.field)
        try:
            os.replace(self.tmp, self.target)
        except OSError as exc:
            raise _cannot_write(self.shown, exc, self.field) from exc
        self.done = True
        _fsync_folder(self.target.parent)

    def discard(self) -> None:
        if self.done:
            return
        with contextlib.suppress(OSError):
            os.unlink(self.tmp)


@contextlib.contextmanager
def _temp_for(
    path: str | Path, mode: int | None, field: str | None, create_dirs: bool
) -> Iterator[tuple[BinaryIO, _Pending]]:
    target, old_mode = _resolve(path, field, create_dirs)
    try:
        fd, tmp = _open_temp(target, mode, old_mode)
    except OSError as exc:
        raise _cannot_write(path, exc, field) from exc
    pending = _Pending(path, target, tmp, field)
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh, pending
            fh.flush()
            os.fsync(fh.fileno())
    except OSError as exc:
        pending.discard()
        raise _cannot_write(path, exc, field) from exc
    except BaseException:
        pending.discard()
        raise


@contextlib.contextmanager
def atomic_open(
    path: str | Path, *, mode: int | None = None, field: str | None = None
) -> Iterator[BinaryIO]:
    """Open a binary stream whose content replaces ``path`` atomically when the block ends.

    For writers that want a file object (``fig.savefig(fh, format="png")``). If the block
    raises, nothing is written and the temporary file is removed.
    """
    with _temp_for(path, mode, field, False) as (fh, pending):
        yield fh
    try:
        pending.commit()
    except BaseException:
        pending.discard()
        raise


def _chunks(data: Data) -> Iterable[bytes]:
    if isinstance(data, str):
        return (data.encode("utf-8"),)
    if isinstance(data, bytes | bytearray | memoryview):
        return (bytes(data),)
    return data


def write_many_atomic(
    files: Sequence[tuple[str | Path, Data, int | None]],
    *,
    field: str | None = None,
    create_dirs: bool = False,
) -> None:
    """Write several files, each atomically, all or none as far as a write can fail.

    ``files`` holds ``(path, data, mode)``; ``mode`` None means the default permissions
    (see the module docstring). Every target is checked before anything is written, and
    every temporary file is written (and ``fsync``-ed) before the first rename, so an error
    while producing or writing any of the data leaves every target untouched.
    """
    for path, _, _ in files:
        _resolve(path, field, create_dirs)
    pending: list[_Pending] = []
    try:
        for path, data, mode in files:
            with _temp_for(path, mode, field, create_dirs) as (fh, p):
                for chunk in _chunks(data):
                    fh.write(chunk)
            pending.append(p)
        for p in pending:
            p.commit()
    finally:
        for p in pending:
            p.discard()


def write_atomic(
    path: str | Path,
    data: Data,
    *,
    mode: int | None = None,
    field: str | None = None,
    create_dirs: bool = False,
) -> Path:
    """Write ``data`` (text as UTF-8, bytes or byte chunks) to ``path`` atomically.

    Returns the path of the file written (the symlink's target where ``path`` is a link).
    Bad targets and write errors (disk full, permission) raise
    :class:`~tripolar.errors.InputError` naming the path and ``field``.
    """
    write_many_atomic([(path, data, mode)], field=field, create_dirs=create_dirs)
    return check_output_path(path, field=field)
