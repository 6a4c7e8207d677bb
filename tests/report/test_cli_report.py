"""``tripolar report``: HTML and PDF written atomically; bad options give one line, exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest


def test_report_writes_html(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "r.html"
    code, stdout, err = cli(
        "report", "--treaty", "new-start", "--samples", "50", "--seed", "2", "--out", str(out)
    )
    assert code == 0, err
    assert "report written to" in stdout and "50 samples, seed 2" in stdout
    text = out.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and text.rstrip().endswith("</html>")
    assert "--treaty new-start --samples 50 --seed 2" in text


def test_report_writes_pdf(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    d = tmp_path / "out"
    d.mkdir()
    out = d / "r.pdf"
    code, _, err = cli("report", "--treaty", "new-start", "--samples", "20", "--out", str(out))
    assert code == 0, err
    assert out.read_bytes()[:5] == b"%PDF-"
    # written atomically: no temporary file left beside it
    assert [p.name for p in d.iterdir()] == ["r.pdf"]


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--treaty", "new-start", "--out", "{d}/r.txt"], ".html or .pdf"),
        (["--treaty", "new-start", "--out", "{d}/r"], "(no suffix)"),
        (["--treaty", "new-start", "--out", "{d}/missing/r.html"], "does not exist"),
        (["--treaty", "no-such-treaty", "--out", "{d}/r.html"], "unknown treaty"),
        (["--treaty", "new-start", "--treaty", "new-start", "--out", "{d}/r.html"], "twice"),
        (["--treaty", "new-start", "--samples", "0", "--out", "{d}/r.html"], "--samples"),
        (["--out", "{d}/r.html"], "--treaty"),
    ],
)
def test_bad_options_one_line_exit_2_nothing_written(  # type: ignore[no-untyped-def]
    cli, tmp_path: Path, args: list[str], needle: str
) -> None:
    d = tmp_path / "out"
    d.mkdir()
    code, stdout, err = cli("report", *(a.format(d=d) for a in args))
    assert code == 2
    assert needle in err
    assert "Traceback" not in err and not stdout
    assert list(d.iterdir()) == []


def test_bad_suffix_is_one_line(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    code, _, err = cli("report", "--treaty", "new-start", "--out", str(tmp_path / "r.docx"))
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("error: ") and "--out" in err
