"""`tripolar runs` and `tripolar runs show ID`: tables, JSON, and bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tripolar.cli.main import main
from tripolar.store import content_hash, open_store


@pytest.fixture
def filled(store_url: str) -> str:
    """A store (SQLite file or PostgreSQL database) holding three runs."""
    with open_store(store_url) as store:
        store.record_run(
            "assess", {"treaty": "new-start", "seed": 1}, {"compliant": True}, dataset_hash="d" * 64
        )
        store.record_run("exchange", {"seed": 2}, {"surviving_warheads": 812}, dataset_hash=None)
        store.record_run(
            "assess", {"treaty": "inf", "seed": 3}, {"compliant": False}, dataset_hash=None
        )
    return store_url


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_runs_lists_newest_first(filled: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, "runs", "--store", str(filled))
    assert code == 0, err
    assert out.index("exchange") < out.index(content_hash({"treaty": "new-start", "seed": 1})[:12])
    assert content_hash({"seed": 2})[:12] in out
    assert "ok" in out


def test_runs_json(filled: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "runs", "--store", str(filled), "--json", "--command", "assess")
    assert code == 0
    data = json.loads(out)
    assert [row["id"] for row in data] == [3, 1]
    assert data[1]["inputs_hash"] == content_hash({"seed": 1, "treaty": "new-start"})
    assert data[1]["dataset_hash"] == "d" * 64
    assert data[1]["started_at"].endswith("+00:00")


def test_runs_limit(filled: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "runs", "--store", str(filled), "--json", "--limit", "1")
    assert code == 0
    assert [row["id"] for row in json.loads(out)] == [3]


def test_runs_uses_the_env_store(
    filled: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TRIPOLAR_STORE", str(filled))
    code, out, _ = _run(capsys, "runs", "--json")
    assert code == 0
    assert len(json.loads(out)) == 3


def test_empty_store(store_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    path = store_url
    with open_store(path) as store:
        assert store.list_runs() == []  # the first read creates the store
    code, out, _ = _run(capsys, "runs", "--store", str(path))
    assert code == 0
    assert "no runs recorded" in out
    code, out, _ = _run(capsys, "runs", "--store", str(path), "--json")
    assert json.loads(out) == []


def test_show(filled: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, "runs", "show", "1", "--store", str(filled))
    assert code == 0, err
    assert "assess" in out
    assert '"new-start"' in out
    assert '"compliant": true' in out
    assert content_hash({"seed": 1, "treaty": "new-start"}) in out
    assert "d" * 64 in out


def test_show_json_is_the_record(filled: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "runs", "--store", str(filled), "show", "2", "--json")
    assert code == 0
    data = json.loads(out)
    with open_store(filled) as store:
        assert data == store.get_run(2).to_dict()
    assert data["outputs"] == {"surviving_warheads": 812}
    assert data["inputs"] == {"seed": 2}


def test_show_unknown_id(filled: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, "runs", "show", "99", "--store", str(filled))
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    assert "no run with id 99" in err


@pytest.mark.parametrize("args", [["runs"], ["runs", "show", "1"]])
def test_bad_store_location_exits_2_and_creates_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    before = set(tmp_path.rglob("*"))
    code, out, err = _run(capsys, *args, "--store", str(blocker / "sub" / "s.sqlite"))
    assert code == 2
    assert out == ""
    assert err.startswith("error: ") and err.count("\n") == 1
    assert set(tmp_path.rglob("*")) == before


def test_missing_store_is_not_created(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "typo.sqlite"
    code, _, err = _run(capsys, "runs", "--store", str(path))
    assert code == 2
    assert "no tripolar store" in err
    assert not path.exists()


def test_not_a_database_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("hello\n")
    code, _, err = _run(capsys, "runs", "--store", str(path))
    assert code == 2
    assert "not a SQLite database" in err
    assert path.read_text() == "hello\n"


def test_bad_limit_is_a_usage_error(filled: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, _ = _run(capsys, "runs", "--store", str(filled), "--limit", "0")
    assert code == 2
