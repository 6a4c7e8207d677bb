"""The web app's answer caches: what they keep, and that a change of input is never
answered from before it (treaty, data files, store); cached answers are the same bytes."""

from __future__ import annotations

import csv
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tripolar.context import EvaluationContext
from tripolar.data.loader import bundled_dir
from tripolar.treaty import load_treaty
from tripolar.web.app import create_app
from tripolar.web.cache import AnswerCache, DataWatch, etag_of

SAMPLES = 48
#: China's ICBM launchers (2024 leg total): they feed the counts of a trilateral treaty
#: and the forces page of China in 2024 (tests/assessment/test_data_change.py).
CN_ICBMS = {"system_id": "cn-icbm-leg", "as_of": "2024", "quantity": "launchers_deployed"}


def _client(store: Path, **kwargs: Any) -> TestClient:
    return TestClient(create_app(str(store), secret="test-secret", **kwargs))


@pytest.fixture()
def client(tmp_path: Path) -> Iterator[TestClient]:
    with _client(tmp_path / "store.sqlite") as c:
        yield c


def _set_figure(d: Path, match: dict[str, str], value: str) -> None:
    path = d / "system_figures.csv"
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    (hit,) = [r for r in rows if all(r[k] == v for k, v in match.items())]
    hit["value"], hit["low"], hit["high"] = value, "", ""
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)


def _evaluation(treaty: dict[str, Any], seed: int = 7) -> dict[str, Any]:
    return {"treaty": treaty, "samples": SAMPLES, "seed": seed}


# -- counts -----------------------------------------------------------------------------


def test_count_answers_are_the_same_bytes(client: TestClient, tmp_path: Path) -> None:
    """Computed, kept by treaty, kept by request bytes, and computed by another app."""
    t = load_treaty("tri-equal-1000").model_dump(mode="json")
    first = client.post("/api/count", json=t)
    assert first.status_code == 200 and first.headers["content-type"] == "application/json"
    again = client.post("/api/count", json=t)  # the same request: answered before routing
    spaced = client.post(  # other bytes, the same treaty: the answer kept by treaty hash
        "/api/count", content=json.dumps(t, indent=2), headers={"content-type": "application/json"}
    )
    with _client(tmp_path / "other.sqlite") as other:
        fresh = other.post("/api/count", json=t)
    assert first.content == again.content == spaced.content == fresh.content
    for r in (again, spaced):
        assert r.headers["content-length"] == first.headers["content-length"]
        assert r.headers["x-content-type-options"] == "nosniff"


def test_a_changed_treaty_is_counted_again(client: TestClient) -> None:
    t = load_treaty("new-start").model_dump(mode="json")
    a = client.post("/api/count", json=t)
    t["limits"][0]["ceiling"] = 100
    b = client.post("/api/count", json=t)
    assert b.json()["parties"]["US"]["limits"]["deployed_warheads"]["status"] == "exceeds"
    assert a.json()["parties"]["US"]["limits"]["deployed_warheads"]["status"] != "exceeds"
    t["limits"][0]["ceiling"] = load_treaty("new-start").limits[0].ceiling
    assert client.post("/api/count", json=t).content == a.content


def test_bad_bodies_are_not_kept(client: TestClient) -> None:
    """An answer is kept for its request bytes only when the endpoint made it: a 422 is
    given each time, and a valid body kept does not cover an invalid one."""
    t = load_treaty("new-start").model_dump(mode="json")
    assert client.post("/api/count", json=t).status_code == 200
    t["limits"][0]["quantity"] = "many_warheads"
    for _ in range(2):
        r = client.post("/api/count", json=t)
        assert r.status_code == 422 and r.json()["field"] == "limits.0.quantity"
    for _ in range(2):
        r = client.post(
            "/api/count", content=b"{not json", headers={"content-type": "application/json"}
        )
        assert r.status_code == 422


# -- evaluations ------------------------------------------------------------------------


def test_evaluation_answers_are_the_same_bytes(tmp_path: Path) -> None:
    """The uncached evaluation's result is the cached one; every cached answer (from the
    store, from memory, by request bytes, from another app on the same store) is the same
    bytes."""
    store = tmp_path / "store.sqlite"
    t = load_treaty("tri-equal-1000").model_dump(mode="json")
    with _client(store) as c:
        computed = c.post("/api/evaluate?wait=true", json=_evaluation(t))
        assert computed.status_code == 200 and computed.json()["cached"] is False
        from_store = c.post("/api/evaluate", json=_evaluation(t))
        same_bytes = c.post("/api/evaluate", json=_evaluation(t))
        waited = c.post("/api/evaluate?wait=true", json=_evaluation(t))
        spaced = c.post(
            "/api/evaluate",
            content=json.dumps(_evaluation(t), indent=1),
            headers={"content-type": "application/json"},
        )
    with _client(store) as c2:  # a new process on the same store
        other_app = c2.post("/api/evaluate", json=_evaluation(t))
    assert from_store.json()["cached"] is True
    assert computed.json()["result"] == from_store.json()["result"]
    assert computed.json()["key"] == from_store.json()["key"]
    answers = {r.content for r in (from_store, same_bytes, waited, spaced, other_app)}
    assert len(answers) == 1


def test_evaluations_are_kept_per_store_treaty_and_seed(tmp_path: Path) -> None:
    t = load_treaty("tri-equal-1000").model_dump(mode="json")
    with _client(tmp_path / "a.sqlite") as a:
        done = a.post("/api/evaluate?wait=true", json=_evaluation(t))
        assert a.post("/api/evaluate", json=_evaluation(t)).json()["cached"] is True
        # another seed or another treaty is not the kept answer
        r = a.post("/api/evaluate?wait=true", json=_evaluation(t, seed=8))
        assert r.json()["cached"] is False and r.json()["key"] != done.json()["key"]
        changed = json.loads(json.dumps(t))
        changed["limits"][0]["ceiling"] = 900
        r = a.post("/api/evaluate?wait=true", json=_evaluation(changed))
        assert r.json()["cached"] is False and r.json()["key"] != done.json()["key"]
    with _client(tmp_path / "b.sqlite") as b:  # another store has not evaluated it
        r = b.post("/api/evaluate", json=_evaluation(t))
        assert r.status_code == 202


def test_a_kept_context_evaluates_as_a_fresh_one(client: TestClient) -> None:
    """Contexts are kept per (year, seed, samples, rule) across requests: what one built for
    an earlier treaty does not change a later treaty's evaluation."""
    from tripolar.jsonio import to_jsonable
    from tripolar.web import service

    first = load_treaty("tri-equal-1000")
    later = load_treaty("tri-proportional")
    client.post("/api/evaluate?wait=true", json=_evaluation(first.model_dump(mode="json")))
    r = client.post("/api/evaluate?wait=true", json=_evaluation(later.model_dump(mode="json")))
    fresh = service.evaluation_view(later, EvaluationContext(samples=SAMPLES, seed=7))
    assert r.json()["result"] == json.loads(json.dumps(to_jsonable(fresh)))


# -- data files -------------------------------------------------------------------------


def test_changed_data_files_give_changed_answers(tmp_path: Path) -> None:
    d = tmp_path / "data"
    shutil.copytree(bundled_dir(), d)
    original = (d / "system_figures.csv").read_bytes()
    t = load_treaty("tri-equal-1000").model_dump(mode="json")
    with _client(tmp_path / "store.sqlite", data_dir=d) as c:
        c.app.state.data.interval_s = 0.0  # look at the files on every request
        count = c.post("/api/count", json=t)
        page = c.get("/forces?state=CN&year=2024")
        ev = c.post("/api/evaluate?wait=true", json=_evaluation(t))
        assert c.post("/api/evaluate", json=_evaluation(t)).json()["cached"] is True

        _set_figure(d, CN_ICBMS, "1000")
        count2 = c.post("/api/count", json=t)
        page2 = c.get("/forces?state=CN&year=2024", headers={"If-None-Match": page.headers["etag"]})
        ev2 = c.post("/api/evaluate", json=_evaluation(t))
        assert count2.content != count.content
        assert page2.status_code == 200 and page2.headers["etag"] != page.headers["etag"]
        assert page2.text != page.text
        # the evaluation's key holds the dataset hash: a new evaluation, not the old one
        assert ev2.status_code == 202

        (d / "system_figures.csv").write_bytes(original)
        assert c.post("/api/count", json=t).content == count.content
        back = c.get("/forces?state=CN&year=2024")
        assert back.content == page.content and back.headers["etag"] == page.headers["etag"]
        assert c.post("/api/evaluate", json=_evaluation(t)).json()["key"] == ev.json()["key"]


def test_data_watch_looks_at_the_files_when_due(tmp_path: Path) -> None:
    d = tmp_path / "data"
    shutil.copytree(bundled_dir(), d)
    now = [0.0]
    watch = DataWatch(EvaluationContext(data_dir=d), interval_s=10.0, clock=lambda: now[0])
    first = watch.context()
    h = first.dataset().content_hash
    assert watch.context() is first and watch.context(seed=5) is watch.context(seed=5)
    _set_figure(d, CN_ICBMS, "1000")
    now[0] = 5.0
    assert watch.context() is first and watch.generation() == 0  # not due yet
    now[0] = 10.0
    renewed = watch.context()
    assert renewed is not first and watch.generation() == 1
    assert renewed.dataset().content_hash != h
    assert watch.context(seed=5).dataset().content_hash == renewed.dataset().content_hash


# -- pages ------------------------------------------------------------------------------


def test_forces_page_revalidates_by_etag(client: TestClient, tmp_path: Path) -> None:
    r = client.get("/forces?state=US&year=2025")
    assert r.status_code == 200 and r.headers["content-type"] == "text/html; charset=utf-8"
    etag = r.headers["etag"]
    assert etag == etag_of(r.content) and r.headers["cache-control"] == "no-cache"
    again = client.get("/forces?state=US&year=2025")
    assert again.content == r.content and again.headers["etag"] == etag
    not_modified = client.get("/forces?state=US&year=2025", headers={"If-None-Match": etag})
    assert not_modified.status_code == 304 and not_modified.content == b""
    assert not_modified.headers["etag"] == etag
    assert not_modified.headers["content-security-policy"] == r.headers["content-security-policy"]
    other = client.get("/forces?state=RU&year=2025", headers={"If-None-Match": etag})
    assert other.status_code == 200 and other.headers["etag"] != etag
    with _client(tmp_path / "other.sqlite") as fresh:  # rendered anew: the same page
        assert fresh.get("/forces?state=US&year=2025").content == r.content


def test_room_pages_are_not_kept_by_browsers(client: TestClient) -> None:
    r = client.get("/rooms")
    assert r.headers["cache-control"] == "no-store"
    assert r.headers["x-frame-options"] == "DENY"


def test_answer_cache_is_bounded() -> None:
    cache = AnswerCache(size=3)
    for i in range(5):
        cache.put("count", str(i), b"%d" % i, "application/json")
    assert cache.get("count", "0") is None and cache.get("count", "1") is None
    assert cache.get("count", "2") is not None  # now the newest used
    cache.put("count", "5", b"5", "application/json")
    assert cache.get("count", "2") is not None and cache.get("count", "3") is None
    assert len(cache) == 3


# -- uploads (parsed in the thread pool, not on the event loop) ---------------------------


def test_treaty_uploads_are_parsed_and_named(client: TestClient) -> None:
    from tripolar.treaty.io import builtin_dir

    text = (builtin_dir() / "new-start.yaml").read_bytes()
    r = client.post("/api/treaty/validate-yaml", content=text)
    assert r.status_code == 200 and r.json() == load_treaty("new-start").model_dump(mode="json")
    page = client.post("/builder/upload", files={"file": ("mine.yaml", text)})
    assert page.status_code == 200 and load_treaty("new-start").name in page.text
    bad = client.post("/builder/upload", files={"file": ("mine.yaml", b"id: x\n")})
    assert bad.status_code == 422 and "mine.yaml" in bad.text
    bad = client.post("/builder/upload", files={"file": ("mine.yaml", b"\xff\xfe")})
    assert bad.status_code == 422 and "error:" in bad.text


def test_large_bodies_are_answered_but_not_kept_by_their_bytes(client: TestClient) -> None:
    from tripolar.web.cache import MAX_BODY

    t = load_treaty("new-start").model_dump(mode="json")
    small = client.post("/api/count", json=t)
    padded = json.dumps(t) + " " * (MAX_BODY + 1)  # valid JSON, above the size kept
    before = len(client.app.state.answers)
    for _ in range(2):
        r = client.post("/api/count", content=padded, headers={"content-type": "application/json"})
        assert r.status_code == 200 and r.content == small.content
    assert len(client.app.state.answers) == before  # kept neither by bytes nor anew
