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


def test_data_option_reaches_the_report(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """``--data DIR``: a changed figure shows in the forces table, and the report names the
    changed dataset's hash, not the bundled one."""
    import csv
    import shutil

    from report.page import parse
    from tripolar.data.loader import bundled_dir, load_dataset

    d = tmp_path / "data"
    shutil.copytree(bundled_dir(), d)
    path = d / "system_figures.csv"
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    (hit,) = [
        r
        for r in rows
        if (r["system_id"], r["as_of"], r["quantity"]) == ("us-mmiii", "2025", "launchers_deployed")
    ]
    hit["value"] = "380"
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    out = tmp_path / "r.html"
    code, stdout, err = cli(
        "report", "--treaty", "new-start", "--samples", "20", "--data", str(d), "--out", str(out)
    )
    assert code == 0, err
    text = out.read_text(encoding="utf-8")
    changed, bundled = load_dataset(d).content_hash, load_dataset().content_hash
    assert changed != bundled and changed in text and bundled not in text
    assert changed[:12] in stdout
    assert parse(text).nums["force/US/us-mmiii/launchers_deployed"]["value"] == "380.0"
