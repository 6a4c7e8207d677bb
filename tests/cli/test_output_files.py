"""Output options of every command: checked before the work starts, one writer, one set
of plot formats (png, svg, pdf), files with the user's umask."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

import tripolar.assessment

PLOT_COMMANDS = [
    ["stability", "--samples", "10"],
    ["project"],
    ["negotiate"],
    ["verify", "simulate", "--treaty", "tri-new-start", "--cheater", "US", "--strategy", "upload"],
]


@pytest.fixture
def umask() -> Iterator[int]:
    old = os.umask(0o027)
    try:
        yield 0o027
    finally:
        os.umask(old)


def _one_line_exit_2(result: tuple[int, str, str], *fragments: str) -> str:
    code, out, err = result
    assert code == 2, (out, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and "Traceback" not in err, err
    for f in fragments:
        assert f in lines[0], lines[0]
    return lines[0]


@pytest.fixture
def no_assessment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if the assessment runs: a bad --out must be refused before it."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the assessment ran before --out was checked")

    monkeypatch.setattr(tripolar.assessment, "assess", refuse)


@pytest.mark.parametrize(
    "target", ["DIR", "DIR/", "/dev/full", "/dev/null", "FILE/x.md", "NO/x.md"]
)
def test_assess_out_refused_before_the_run(  # type: ignore[no-untyped-def]
    cli, tmp_path: Path, no_assessment: None, target: str
) -> None:
    (tmp_path / "FILE").write_text("keep")
    (tmp_path / "DIR").mkdir()
    path = target if target.startswith("/") else str(tmp_path / target)
    if target == "DIR/":
        path += "/"
    _one_line_exit_2(cli("assess", "--no-save", "--out", path), "--out")
    assert (tmp_path / "FILE").read_text() == "keep"
    assert not (tmp_path / "NO").exists()


@pytest.mark.parametrize("target", ["/dev/full", "DIR", "FIFO", "DANGLING"])
def test_treaty_schema_out_refused(cli, tmp_path: Path, target: str) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "DIR").mkdir()
    os.mkfifo(tmp_path / "FIFO")
    (tmp_path / "DANGLING").symlink_to(tmp_path / "gone.json")
    path = target if target.startswith("/") else str(tmp_path / target)
    _one_line_exit_2(cli("treaty", "schema", "--out", path), "--out")
    assert not (tmp_path / "gone.json").exists()


def test_treaty_schema_out_through_symlink_with_umask(  # type: ignore[no-untyped-def]
    cli, tmp_path: Path, umask: int
) -> None:
    new = tmp_path / "schema.json"
    code, _, err = cli("treaty", "schema", "--out", str(new))
    assert code == 0, err
    assert stat.S_IMODE(new.stat().st_mode) == 0o666 & ~umask
    link = tmp_path / "link.json"
    link.symlink_to(new)
    new.write_text("old")
    code, _, err = cli("treaty", "schema", "--out", str(link))
    assert code == 0, err
    assert link.is_symlink() and new.read_text().startswith("{")


@pytest.mark.parametrize(
    "command",
    PLOT_COMMANDS,
)
@pytest.mark.parametrize("name", ["p.jpg", "p", "p.PNG.bak"])
def test_every_plot_option_names_the_formats(  # type: ignore[no-untyped-def]
    cli, tmp_path: Path, command: list[str], name: str
) -> None:
    line = _one_line_exit_2(cli(*command, "--plot", str(tmp_path / name)), "--plot")
    assert ".png, .svg, .pdf" in line
    assert not (tmp_path / name).exists()


@pytest.mark.parametrize(
    "command",
    PLOT_COMMANDS,
)
def test_every_plot_option_refuses_a_device(cli, tmp_path: Path, command: list[str]) -> None:  # type: ignore[no-untyped-def]
    """A plot name that is a symlink to /dev/null is refused (not written through)."""
    link = tmp_path / "p.png"
    link.symlink_to("/dev/null")
    _one_line_exit_2(cli(*command, "--plot", str(link)), "--plot", "character device")
    assert link.is_symlink()


@pytest.mark.parametrize(("suffix", "magic"), [(".svg", b"<?xml"), (".pdf", b"%PDF")])
def test_project_plot_formats_and_umask(  # type: ignore[no-untyped-def]
    cli, tmp_path: Path, umask: int, suffix: str, magic: bytes
) -> None:
    out = tmp_path / f"p{suffix}"
    code, _, err = cli("project", "--plot", str(out))
    assert code == 0, err
    assert out.read_bytes().startswith(magic)
    assert stat.S_IMODE(out.stat().st_mode) == 0o666 & ~umask


def test_negotiation_plot_gets_the_umask(tmp_path: Path, umask: int) -> None:
    """The bargaining plot was written 0600; it is an ordinary output file now, in any of
    the three formats. (A hand-made analysis of three members keeps the test fast.)"""
    from types import SimpleNamespace

    import numpy as np

    from tripolar.report.negotiation_plots import plot_family

    sol = SimpleNamespace(method="nash", utilities=np.array([0.2, 0.1, 0.3]))
    report = SimpleNamespace(parties=("US", "RU", "CN"), pareto=[0, 2], zopa=[2], solutions=[sol])
    u = np.array([[0.1, -0.2, 0.2], [0.0, 0.1, 0.1], [-0.1, 0.3, 0.3]])
    analysis = SimpleNamespace(
        result=SimpleNamespace(report=report, utilities=SimpleNamespace(matrix=u)),
        family=SimpleNamespace(name="test family"),
    )
    for suffix, magic in ((".png", b"\x89PNG"), (".svg", b"<?xml"), (".pdf", b"%PDF")):
        out = tmp_path / f"family{suffix}"
        assert plot_family(analysis, out) == out  # type: ignore[arg-type]
        assert out.read_bytes().lstrip().startswith(magic)
        assert stat.S_IMODE(out.stat().st_mode) == 0o640
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]
