"""The JSON API: same numbers as the Python API, field-naming 422s, the evaluation cache."""

from __future__ import annotations

import time

from tripolar.context import EvaluationContext
from tripolar.treaty import evaluate, load_treaty
from tripolar.treaty.force_cut import RULES
from tripolar.web.app import Rule


def test_rule_choices_are_the_force_cut_rules() -> None:
    assert set(Rule.__args__) == set(RULES)  # type: ignore[attr-defined]


def test_count_is_the_python_api(client) -> None:  # type: ignore[no-untyped-def]
    t = load_treaty("new-start")
    r = client.post("/api/count", json=t.model_dump(mode="json"))
    assert r.status_code == 200
    ev = evaluate(t, context=EvaluationContext()).to_dict()
    for party in ("US", "RU"):
        for lid, lim in ev["parties"][party]["limits"].items():
            assert r.json()["parties"][party]["limits"][lid]["count"] == lim["count"]


def test_count_changes_with_a_ceiling(client) -> None:  # type: ignore[no-untyped-def]
    t = load_treaty("new-start").model_dump(mode="json")
    a = client.post("/api/count", json=t).json()
    t["limits"][0]["ceiling"] = 100
    b = client.post("/api/count", json=t).json()
    assert a["parties"]["US"]["limits"]["deployed_warheads"]["status"] != "exceeds"
    assert b["parties"]["US"]["limits"]["deployed_warheads"]["status"] == "exceeds"


def test_bad_treaty_names_the_field(client) -> None:  # type: ignore[no-untyped-def]
    t = load_treaty("new-start").model_dump(mode="json")
    t["limits"][0]["quantity"] = "many_warheads"
    r = client.post("/api/count", json=t)
    assert r.status_code == 422
    assert r.json()["field"] == "limits.0.quantity"
    t = load_treaty("new-start").model_dump(mode="json")
    t["parties"] = ["US", "XX"]
    r = client.post("/api/count", json=t)
    assert r.status_code == 422 and "unknown state 'XX'" in r.json()["detail"]
    r = client.post(
        "/api/count", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert r.status_code == 422


def test_uploaded_yaml_gives_the_cli_message(client) -> None:  # type: ignore[no-untyped-def]
    r = client.post("/api/treaty/validate-yaml", content=b"id: x\nname: y\nparties: [US]\n")
    assert r.status_code == 422
    assert r.json()["detail"] == "upload: field 'limits': Field required"


def test_forces_figures_carry_sources(client) -> None:  # type: ignore[no-untyped-def]
    r = client.get("/api/forces/US/2025").json()
    assert r["stockpile"] and r["systems"]
    for row in r["stockpile"] + r["systems"]:
        assert row["sources"], row
        assert all(s["url"] and s["date"] for s in row["sources"])
    assert r["history"]["year"][0] == 1945


def test_evaluation_cached_by_content(client) -> None:  # type: ignore[no-untyped-def]
    t = load_treaty("tri-proportional").model_dump(mode="json")
    body = {"treaty": t, "samples": 50, "seed": 3}
    r = client.post("/api/evaluate", json=body)
    assert r.status_code == 202
    job = r.json()["job"]
    for _ in range(600):
        j = client.get(f"/api/jobs/{job}").json()
        if j["status"] != "running":
            break
        time.sleep(0.05)
    assert j["status"] == "done", j
    again = client.post("/api/evaluate", json=body)
    assert again.status_code == 200 and again.json()["cached"] is True
    assert again.json()["result"] == j["result"]
    from tripolar.web.service import evaluation_key

    t_obj = load_treaty("tri-proportional")
    k3, _ = evaluation_key(t_obj, EvaluationContext(samples=50, seed=3))
    k4, _ = evaluation_key(t_obj, EvaluationContext(samples=50, seed=4))
    assert k3 == again.json()["key"] != k4
    from tripolar.stability.run import run_stability

    direct = run_stability(
        load_treaty("tri-proportional"), context=EvaluationContext(samples=50, seed=3)
    )
    assert j["result"]["stability"]["least_stable"]["r"] == direct.least_stable["r"]


def test_evaluation_bounds(client) -> None:  # type: ignore[no-untyped-def]
    t = load_treaty("new-start").model_dump(mode="json")
    r = client.post("/api/evaluate", json={"treaty": t, "samples": 10**9})
    assert r.status_code == 422 and r.json()["field"] == "samples"


def test_security_headers(client) -> None:  # type: ignore[no-untyped-def]
    for path in ("/", "/forces", "/builder", "/evaluate", "/docs", "/rooms"):
        r = client.get(path)
        csp = r.headers["content-security-policy"]
        script_src = next(d for d in csp.split("; ") if d.startswith("script-src"))
        assert "frame-ancestors 'none'" in csp and script_src == "script-src 'self'"
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["referrer-policy"] == "no-referrer"
        # no inline script: every <script> either loads a file or is a JSON data block
        import re

        for tag in re.findall(r"<script[^>]*>", r.text):
            assert "src=" in tag or 'type="application/json"' in tag, tag
