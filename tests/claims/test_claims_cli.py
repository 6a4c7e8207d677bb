"""`tripolar claims`: output, JSON, and every class of bad input (one line, exit 2)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from tripolar.claims import MAX_TEXT_BYTES

NEWS = (
    "The United States has deployed about 1,700 strategic warheads, slightly more than "
    "Russia, while China has around 500.\n"
)


def _file(tmp_path: Path, data: bytes, name: str = "article.txt") -> str:
    p = tmp_path / name
    p.write_bytes(data)
    return str(p)


def _one_line_failure(code: int, out: str, err: str, *fragments: str) -> None:
    assert code == 2, (out, err)
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1 and "Traceback" not in err, err
    for f in fragments:
        assert f in lines[0], lines[0]
    assert out == ""


def test_table_output(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    code, out, err = cli("claims", _file(tmp_path, NEWS.encode()))
    assert code == 0, err
    assert "deployed_strategic" in out and "S01" in out
    assert "supported" in out and "outdated (2022)" in out and "outdated (2024)" in out
    assert "1 supported, 2 outdated, 0 contradicted, 0 not checkable" in out


def test_json_is_the_report(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    code, out, _err = cli("claims", _file(tmp_path, NEWS.encode()), "--json")
    assert code == 0
    doc = json.loads(out)
    first = doc["claims"][0]
    assert first["verdict"] == "supported"
    assert first["figure"]["value"] == 1670 and first["figure"]["source_ids"] == ["S01"]
    assert NEWS[first["span"][0] : first["span"][1]] == first["text"]
    assert doc["summary"] == {"supported": 1, "outdated": 2, "contradicted": 0, "not checkable": 0}


def test_as_of_dates_undated_claims(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = _file(tmp_path, b"North Korea today has around 30 warheads.")
    _code, out, _ = cli("claims", path, "--json", "--as-of", "2023-06-01")
    assert json.loads(out)["claims"][0]["verdict"] == "supported"  # 2023: 30
    _code, out, _ = cli("claims", path, "--json", "--as-of", "2025")
    assert json.loads(out)["claims"][0]["verdict"] == "outdated"  # 2025: 50


def test_stdin(cli, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    class _Stdin:
        buffer = io.BytesIO(b"Israel has about 90 warheads.")

    monkeypatch.setattr("sys.stdin", _Stdin())
    code, out, _err = cli("claims", "-", "--json")
    assert code == 0 and json.loads(out)["claims"][0]["state"] == "IL"


def test_no_claims_json(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    code, out, _err = cli("claims", _file(tmp_path, b"Talks resumed in Geneva."), "--json")
    assert code == 0 and json.loads(out)["claims"] == []


def test_no_claims_is_not_an_error(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    code, out, err = cli("claims", _file(tmp_path, b"Talks resumed in Geneva after three years."))
    assert (code, out.strip(), err) == (0, "no claims found", "")


@pytest.mark.parametrize(
    ("data", "fragments"),
    [
        (b"", ["article.txt", "empty text"]),
        (b"  \n\t\n", ["article.txt", "empty text"]),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", ["article.txt", "binary"]),
        (b"caf\xe9 with 400 warheads", ["article.txt", "not valid UTF-8"]),
        (b"a" * (MAX_TEXT_BYTES + 1), ["article.txt", "larger than the limit", "1 MiB"]),
    ],
    ids=["empty", "blank", "binary", "latin1", "too-large"],
)
def test_bad_text(cli, tmp_path: Path, data: bytes, fragments: list[str]) -> None:  # type: ignore[no-untyped-def]
    _one_line_failure(*cli("claims", _file(tmp_path, data)), *fragments)


def test_missing_file_and_directory(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _one_line_failure(*cli("claims", str(tmp_path / "nope.txt")), "nope.txt", "file not found")
    _one_line_failure(*cli("claims", str(tmp_path)), "not a regular file")


@pytest.mark.parametrize("value", ["yesterday", "2025-13-01", "2025-02-30", "1066"])
def test_bad_as_of(cli, tmp_path: Path, value: str) -> None:  # type: ignore[no-untyped-def]
    path = _file(tmp_path, NEWS.encode())
    _one_line_failure(*cli("claims", path, "--as-of", value), "--as-of", "YYYY")
