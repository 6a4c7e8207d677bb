"""The builder's check, comparing and evaluating edited or uploaded treaties, and
repeating a run from the runs page: CSRF on every form, the command line's messages."""

from __future__ import annotations

import html
import json
import re
import time
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient
from tests.web.conftest import csrf_of

from tripolar.cli.main import main
from tripolar.treaty import load_treaty


def _own(treaty_id: str = "my-offer", ceiling: float = 900) -> dict:
    t = load_treaty("tri-new-start").model_dump(mode="json")
    t["id"], t["name"] = treaty_id, f"My offer at {ceiling:g}"
    t["limits"][0]["ceiling"] = ceiling
    return t


def test_check_gives_the_command_lines_message(
    client, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:  # type: ignore[no-untyped-def]
    bad = _own()
    bad["limits"][0]["ceiling"] = -5
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(bad), encoding="utf-8")
    assert main(["count", "--treaty", str(path), "--no-save"]) == 2
    cli = capsys.readouterr().err.strip().removeprefix(f"error: {path}: ")
    r = client.post("/api/treaty/check", json=bad)
    assert r.status_code == 422 and r.json()["field"] == "limits.0.ceiling"
    assert r.json()["detail"] == f"form: {cli}"


def test_check_answers_counts_and_the_yaml(client) -> None:  # type: ignore[no-untyped-def]
    from tripolar.context import EvaluationContext
    from tripolar.treaty import evaluate
    from tripolar.treaty.schema import Treaty

    own = _own()
    r = client.post("/api/treaty/check", json=own)
    assert r.status_code == 200
    body = r.json()
    assert Treaty.model_validate(yaml.safe_load(body["yaml"])) == Treaty.model_validate(own)
    ev = evaluate(Treaty.model_validate(own), context=EvaluationContext()).to_dict()
    us = body["counts"]["parties"]["US"]["limits"]["deployed_warheads"]
    assert us["count"] == ev["parties"]["US"]["limits"]["deployed_warheads"]["count"]
    assert us["ceiling"] == 900 and us["status"] == "exceeds"


def test_compare_edited_and_uploaded_treaties(client) -> None:  # type: ignore[no-untyped-def]
    csrf = csrf_of(client.get("/compare").text)
    up = yaml.safe_dump(_own("uploaded-offer", 1200))
    r = client.post(
        "/compare",
        data={"csrf": csrf, "t": ["tri-equal-1000"], "treaty_json": [json.dumps(_own())]},
        files=[("file", ("offer.yaml", up.encode(), "application/yaml"))],
    )
    assert r.status_code == 200, r.text
    table = r.text.split('id="compare-table"')[1]
    for tid in ("tri-equal-1000", "my-offer", "uploaded-offer"):
        assert f"<td>{tid}</td>" in table
    assert re.search(r"<td>my-offer</td><td>US</td>.*?<td class=\"n\">900</td>", table)
    # the page keeps the edited and uploaded treaties for the next comparison
    assert len(re.findall(r'name="treaty_json" value="[^"]+" checked', r.text)) == 2


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"t": ["tri-equal-1000"]}, "1 treaties chosen"),
        ({"t": ["tri-equal-1000", "no-such"]}, "no built-in treaty 'no-such'"),
        ({"t": ["tri-equal-1000"], "treaty_json": ["{"]}, "treaty_json[0]: not valid JSON"),
        (
            {"t": ["tri-equal-1000"], "treaty_json": [json.dumps(_own("tri-equal-1000"))]},
            "treaty id 'tri-equal-1000' appears twice",
        ),
    ],
)
def test_compare_refuses_bad_choices(client, data, message) -> None:  # type: ignore[no-untyped-def]
    csrf = csrf_of(client.get("/compare").text)
    r = client.post("/compare", data={"csrf": csrf, **data})
    assert r.status_code == 422 and message in html.unescape(r.text)
    assert 'id="compare-table"' not in r.text


def test_new_forms_need_the_csrf_token(app) -> None:  # type: ignore[no-untyped-def]
    c = TestClient(app)
    own = json.dumps(_own())
    assert c.post("/compare", data={"t": ["tri-equal-1000", "new-start"]}).status_code == 403
    r = c.post("/compare", data={"t": ["tri-equal-1000", "new-start"], "csrf": "forged"})
    assert r.status_code == 403
    assert c.post("/evaluate", data={"treaty_json": own}).status_code == 403
    assert c.post("/runs/1/rerun", data={}).status_code == 403
    # another browser's token does not pass
    other = TestClient(app)
    token = csrf_of(other.get("/builder").text)
    c.get("/builder")
    assert c.post("/evaluate", data={"treaty_json": own, "csrf": token}).status_code == 403


def test_evaluate_an_edited_treaty(client) -> None:  # type: ignore[no-untyped-def]
    csrf = csrf_of(client.get("/builder").text)
    r = client.post("/evaluate", data={"treaty_json": json.dumps(_own()), "csrf": csrf})
    assert r.status_code == 200 and "My offer at 900" in r.text
    req = json.loads(re.search(r'id="eval-request">(.*?)</script>', r.text, re.S).group(1))  # type: ignore[union-attr]
    assert req["treaty"]["limits"][0]["ceiling"] == 900
    bad = _own()
    bad["parties"] = ["US", "XX"]
    r = client.post("/evaluate", data={"treaty_json": json.dumps(bad), "csrf": csrf})
    assert r.status_code == 422 and r.json()["field"] == "parties"


def test_a_run_is_repeated_from_the_runs_page(
    app, client, capsys: pytest.CaptureFixture[str]
) -> None:  # type: ignore[no-untyped-def]
    store = app.state.store.location
    main(["count", "--treaty", "tri-proportional", "--state", "CN", "--store", store])
    capsys.readouterr()
    run_id = app.state.store.list_runs(limit=1)[0].id
    page = client.get(f"/runs/{run_id}")
    assert 'id="rerun-form"' in page.text
    r = client.post(f"/runs/{run_id}/rerun", data={"csrf": csrf_of(page.text)})
    assert r.status_code == 200
    assert re.search(r'id="rerun-result">Re-run <strong>matches</strong>: all \d+ recorded', r.text)
    new_id = int(re.search(r'href="/runs/(\d+)" id="new-run"', r.text).group(1))  # type: ignore[union-attr]
    assert new_id > run_id
    old, new = app.state.store.get_run(run_id), app.state.store.get_run(new_id)
    assert old.inputs_hash == new.inputs_hash and old.outputs == new.outputs
    r = client.post("/runs/999999/rerun", data={"csrf": csrf_of(page.text)})
    assert r.status_code == 404
    # a run of a command not repeated here: no form, and a refusal that names the run
    other = app.state.store.record_run("exchange", {"seed": 2}, {"x": 1}, dataset_hash=None)
    page = client.get(f"/runs/{other.id}")
    assert 'id="rerun-form"' not in page.text
    r = client.post(f"/runs/{other.id}/rerun", data={"csrf": csrf_of(client.get("/compare").text)})
    assert r.status_code == 422
    assert "runs of 'exchange' are not repeated" in html.unescape(r.text)


def test_an_assess_run_is_repeated_as_a_background_job(
    app, client, capsys: pytest.CaptureFixture[str]
) -> None:  # type: ignore[no-untyped-def]
    """The re-run of an assess run (a Monte Carlo per proposal) does not run in the request:
    the answer sends the browser to the run's page with the job, which shows its progress
    while it runs and the comparison once done; the repetition is a new run."""
    store = app.state.store.location
    main(["assess", "--samples", "20", "--seed", "5", "--store", store])
    capsys.readouterr()
    run_id = app.state.store.list_runs(limit=1)[0].id
    page = client.get(f"/runs/{run_id}")
    r = client.post(
        f"/runs/{run_id}/rerun", data={"csrf": csrf_of(page.text)}, follow_redirects=False
    )
    assert r.status_code == 303
    m = re.fullmatch(rf"/runs/{run_id}\?job=([\w-]+)", r.headers["location"])
    assert m, r.headers["location"]
    job = m.group(1)
    first = client.get(r.headers["location"])
    assert first.status_code == 200
    if 'id="rerun-job"' in first.text:  # still running: the progress and the polling script
        assert 'id="rerun-progress"' in first.text and "/static/run.js" in first.text
    seen = []
    for _ in range(1200):
        j = client.get(f"/api/jobs/{job}").json()
        seen.append(j["progress"])
        if j["status"] != "running":
            break
        time.sleep(0.05)
    assert j["status"] == "done", j
    assert seen == sorted(seen) and (j["progress"], j["step"]) == (1.0, "done")
    assert j["result"]["matches"] is True and j["result"]["command"] == "assess"
    done = client.get(r.headers["location"])
    assert 'id="rerun-job"' not in done.text and "/static/run.js" not in done.text
    assert re.search(
        r'id="rerun-result">Re-run <strong>matches</strong>: all \d+ recorded', done.text
    )
    new_id = int(re.search(r'href="/runs/(\d+)" id="new-run"', done.text).group(1))  # type: ignore[union-attr]
    assert new_id == j["result"]["new_run_id"] > run_id
    old, new = app.state.store.get_run(run_id), app.state.store.get_run(new_id)
    assert (old.command, old.inputs_hash, old.outputs) == (
        new.command,
        new.inputs_hash,
        new.outputs,
    )
    # the result is not an evaluation: nothing is written to the evaluation cache
    from tripolar.store.rooms import cache_get

    assert cache_get(app.state.store, f"rerun:{run_id}") is None
    # a job of another run does not show on this run's page
    other = client.get(f"/runs/{new_id}?job={job}")
    assert other.status_code == 200 and 'id="rerun-result"' not in other.text
