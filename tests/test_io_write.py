"""The one atomic writer: every kind of bad target refused, symlinks written through,
permissions from the umask (or explicit), fsync before rename, nothing left on failure.

These tests run as root in CI too, so none of them relies on a permission being denied.
"""

from __future__ import annotations

import errno
import os
import socket
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from tripolar import io_write
from tripolar.errors import InputError
from tripolar.io_write import atomic_open, check_output_path, write_atomic, write_many_atomic


@pytest.fixture
def umask() -> Iterator[int]:
    """Run the test under umask 0o027 (a common server setting), then restore."""
    old = os.umask(0o027)
    try:
        yield 0o027
    finally:
        os.umask(old)


def _one_line(exc: pytest.ExceptionInfo[InputError], *fragments: str) -> str:
    text = str(exc.value)
    assert "\n" not in text
    for f in fragments:
        assert f in text, text
    return text


def _names(folder: Path) -> list[str]:
    # tests/conftest.py puts the isolated home folder in every tmp_path.
    return sorted(p.name for p in folder.iterdir() if p.name != "_home_root")


def test_new_file_content_and_umask(tmp_path: Path, umask: int) -> None:
    target = tmp_path / "report.md"
    assert write_atomic(target, "héllo\n") == target
    assert target.read_text(encoding="utf-8") == "héllo\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask == 0o640
    assert _names(tmp_path) == ["report.md"]


def test_bytes_and_chunks(tmp_path: Path) -> None:
    write_atomic(tmp_path / "a.bin", b"\x00\x01")
    write_atomic(tmp_path / "b.bin", (bytes([i]) for i in range(3)))
    assert (tmp_path / "a.bin").read_bytes() == b"\x00\x01"
    assert (tmp_path / "b.bin").read_bytes() == b"\x00\x01\x02"


def test_replacing_keeps_the_existing_permissions(tmp_path: Path, umask: int) -> None:
    target = tmp_path / "x.json"
    target.write_text("old")
    target.chmod(0o600)
    write_atomic(target, "new")
    assert target.read_text() == "new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


@pytest.mark.parametrize(("mask", "mode"), [(0o000, 0o600), (0o077, 0o644), (0o022, 0o600)])
def test_explicit_mode_is_exact(tmp_path: Path, mask: int, mode: int) -> None:
    old = os.umask(mask)
    try:
        target = tmp_path / "private.json"
        target.write_text("old")
        target.chmod(0o666)
        write_atomic(target, "{}", mode=mode)
    finally:
        os.umask(old)
    assert stat.S_IMODE(target.stat().st_mode) == mode


def test_private_temp_file_is_never_wider(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The temporary file of a 0o600 file is created 0o600, not chmod-ed afterwards."""
    seen: list[int] = []
    real_open = os.open

    def spy(path, flags, mode=0o777, *args, **kwargs):  # type: ignore[no-untyped-def]
        if str(path).endswith(".tmp"):
            seen.append(mode)
        return real_open(path, flags, mode, *args, **kwargs)

    monkeypatch.setattr(io_write.os, "open", spy)
    write_atomic(tmp_path / "private.json", "{}", mode=0o600)
    assert seen == [0o600]


@pytest.mark.parametrize("device", ["/dev/null", "/dev/full"])
def test_devices_are_refused(device: str) -> None:
    if not os.path.exists(device):
        pytest.skip(f"{device} not present")
    before = os.stat(device)
    with pytest.raises(InputError) as exc:
        write_atomic(device, "x", field="--out")
    _one_line(exc, device, "--out", "character device")
    with pytest.raises(InputError):
        check_output_path(device)
    after = os.stat(device)
    assert stat.S_ISCHR(after.st_mode) and after.st_rdev == before.st_rdev


def test_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError) as exc:
        check_output_path(tmp_path, field="--out")
    _one_line(exc, "directory", "--out")
    with pytest.raises(InputError) as exc:
        write_atomic(f"{tmp_path / 'new'}/", "x")
    _one_line(exc, "directory")
    assert _names(tmp_path) == []


def test_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(InputError) as exc:
        write_atomic(fifo, "x")
    _one_line(exc, "FIFO")
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_socket_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.sock"
    with socket.socket(socket.AF_UNIX) as s:
        s.bind(str(path))
        with pytest.raises(InputError) as exc:
            write_atomic(path, "x")
    _one_line(exc, "socket")


def test_path_under_a_regular_file_is_refused(tmp_path: Path) -> None:
    f = tmp_path / "file.txt"
    f.write_text("keep")
    for target in (f / "out.json", f / "sub" / "out.json"):
        with pytest.raises(InputError) as exc:
            write_atomic(target, "x")
        _one_line(exc, "regular file, not a folder")
    assert f.read_text() == "keep"


def test_missing_folder_says_so(tmp_path: Path) -> None:
    target = tmp_path / "nope" / "out.md"
    with pytest.raises(InputError) as exc:
        check_output_path(target, field="--out")
    _one_line(exc, "does not exist", "--out")
    assert not (tmp_path / "nope").exists()
    write_atomic(target, "x", create_dirs=True)
    assert target.read_text() == "x"


def test_dangling_symlink_is_refused(tmp_path: Path) -> None:
    link = tmp_path / "link.json"
    link.symlink_to(tmp_path / "missing.json")
    with pytest.raises(InputError) as exc:
        write_atomic(link, "x")
    _one_line(exc, "dangling symlink")
    assert link.is_symlink() and not (tmp_path / "missing.json").exists()


def test_symlink_loop_is_refused(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    a.symlink_to(b)
    b.symlink_to(a)
    with pytest.raises(InputError) as exc:
        write_atomic(a, "x")
    _one_line(exc, "symlink loop")


def test_symlink_to_a_directory_is_refused(tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    (tmp_path / "l").symlink_to(tmp_path / "d")
    with pytest.raises(InputError) as exc:
        write_atomic(tmp_path / "l", "x")
    _one_line(exc, "directory")


def test_writes_through_a_symlink(tmp_path: Path) -> None:
    """The link stays a link; the regular file it points to (in another folder) is replaced."""
    real_dir = tmp_path / "real"
    real_dir.mkdir()
    real = real_dir / "data.json"
    real.write_text("old")
    real.chmod(0o640)
    link = tmp_path / "link.json"
    link.symlink_to(Path("real") / "data.json")
    assert check_output_path(link) == real.resolve()
    assert write_atomic(link, "new") == real.resolve()
    assert link.is_symlink() and os.readlink(link) == str(Path("real") / "data.json")
    assert real.read_text() == "new" and stat.S_IMODE(real.stat().st_mode) == 0o640
    assert _names(real_dir) == ["data.json"] and _names(tmp_path) == ["link.json", "real"]


def test_fsync_before_rename(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    events: list[str] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        events.append("fsync-dir" if stat.S_ISDIR(os.fstat(fd).st_mode) else "fsync-file")
        real_fsync(fd)

    def replace(src, dst):  # type: ignore[no-untyped-def]
        events.append("rename")
        real_replace(src, dst)

    monkeypatch.setattr(io_write.os, "fsync", fsync)
    monkeypatch.setattr(io_write.os, "replace", replace)
    write_atomic(tmp_path / "x", "data")
    assert events[:2] == ["fsync-file", "rename"]


def test_failure_while_producing_data_leaves_target_untouched(tmp_path: Path) -> None:
    target = tmp_path / "x.json"
    target.write_text("old")

    def chunks() -> Iterator[bytes]:
        yield b"partial"
        raise RuntimeError("serialiser failed")

    with pytest.raises(RuntimeError):
        write_atomic(target, chunks())
    assert target.read_text() == "old"
    assert _names(tmp_path) == ["x.json"]


def test_disk_full_is_one_line_and_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "x.json"
    target.write_text("old")

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(io_write.os, "fsync", full)
    with pytest.raises(InputError) as exc:
        write_atomic(target, "new", field="--out")
    _one_line(exc, "cannot write", os.strerror(errno.ENOSPC), "--out")
    assert target.read_text() == "old" and _names(tmp_path) == ["x.json"]


def test_many_all_or_nothing(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    a.write_text("old a")

    def bad() -> Iterator[bytes]:
        raise RuntimeError("no")
        yield b""  # pragma: no cover

    with pytest.raises(RuntimeError):
        write_many_atomic([(a, "new a", None), (b, bad(), None)])
    assert a.read_text() == "old a" and _names(tmp_path) == ["a"]
    # A bad target anywhere in the list is found before anything is written.
    with pytest.raises(InputError):
        write_many_atomic([(a, "new a", None), (tmp_path, "x", None)])
    assert a.read_text() == "old a"
    write_many_atomic([(a, "new a", None), (b, "new b", 0o600)])
    assert a.read_text() == "new a" and b.read_text() == "new b"
    assert stat.S_IMODE(b.stat().st_mode) == 0o600


def test_atomic_open_discards_on_error(tmp_path: Path) -> None:
    target = tmp_path / "plot.png"
    with pytest.raises(ValueError), atomic_open(target) as fh:
        fh.write(b"half")
        raise ValueError("render failed")
    assert _names(tmp_path) == []
    with atomic_open(target) as fh:
        fh.write(b"whole")
    assert target.read_bytes() == b"whole"


def test_target_replaced_by_a_directory_during_the_write(tmp_path: Path) -> None:
    """The rename goes over a regular file only, even if the target changed meanwhile."""
    target = tmp_path / "x"
    with pytest.raises(InputError), atomic_open(target) as fh:
        fh.write(b"data")
        target.mkdir()
    assert target.is_dir() and _names(tmp_path) == ["x"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write into any folder")
def test_read_only_folder_is_refused_early(tmp_path: Path) -> None:
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        with pytest.raises(InputError) as exc:
            check_output_path(ro / "x")
        _one_line(exc, "not writable")
    finally:
        ro.chmod(0o700)
