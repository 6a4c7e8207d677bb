"""Verdicts that say what is known: complies / exceeds / undetermined, exit 0, 1 or 3."""

from __future__ import annotations

import json

import pytest

from tripolar.ranges import Range
from tripolar.treaty import evaluate, load_treaty
from tripolar.treaty.compliance import LimitResult

US_2020 = "src/tripolar/data/bundled/postures/us-2020-09-01.yaml"


def _lr(status: str, certain: bool = True) -> LimitResult:
    return LimitResult(
        "x", "deployed_warheads", None, Range.exact(1.0), Range.exact(2.0), status, certain
    )


@pytest.mark.parametrize(
    ("status", "certain", "verdict"),
    [
        ("complies", True, "complies"),
        ("complies", False, "undetermined"),
        ("unknown", True, "undetermined"),
        ("exceeds", True, "exceeds"),
        ("exceeds", False, "exceeds"),
        ("exempt", True, "complies"),
        ("not a party", True, "complies"),
    ],
)
def test_limit_verdict(status: str, certain: bool, verdict: str) -> None:
    assert _lr(status, certain).verdict == verdict


@pytest.mark.parametrize(
    ("args", "code", "line"),
    [
        (("--treaty", "new-start", "--posture", US_2020), 0, "every party complies"),
        (("--treaty", "tri-equal-1000"), 1, "a limit is exceeded"),
        (("--treaty", "tri-new-start"), 3, "undetermined for some"),
    ],
)
def test_check_exit_codes(cli, args: tuple[str, ...], code: int, line: str) -> None:  # type: ignore[no-untyped-def]
    rc, out, err = cli("check", *args, "--no-save")
    assert rc == code, err
    assert line in out
    rc, out, _ = cli("check", *args, "--no-save", "--json")
    assert rc == code
    d = json.loads(out)
    assert d["verdict"] == {0: "complies", 1: "exceeds", 3: "undetermined"}[code]
    assert d["all_comply"] is (code != 1)


def test_undetermined_names_the_party() -> None:
    ev = evaluate(load_treaty("tri-new-start"))
    # China's launchers are public only in part: its verdict cannot be "complies"
    assert ev.parties["CN"].verdict == "undetermined"
    assert ev.verdict == "undetermined"


def test_freeze_at_own_count_has_exact_zero_headroom() -> None:
    """A ceiling frozen at the party's own level in the posture counted is that very count:
    the headroom is exactly 0 and the verdict certain, whatever the count's band."""
    t = load_treaty("tri-china-freeze")
    ev = evaluate(t)
    for party, pe in ev.parties.items():
        for r in pe.limits.values():
            if r.ceiling_factor == 1.0:
                hr = r.headroom
                assert hr is not None and hr.value == hr.low == hr.high == 0.0, party
                assert r.status == "complies" and r.certain
    assert any(r.ceiling_factor == 1.0 for pe in ev.parties.values() for r in pe.limits.values())


def test_upload_says_not_computed_instead_of_zero(cli) -> None:  # type: ignore[no-untyped-def]
    rc, out, _ = cli("upload", "--treaty", "tri-new-start", "--no-save", "--json")
    assert rc == 0
    cn = json.loads(out)["parties"]["CN"]
    assert cn["unknown_systems"] and cn["capacity_complete"] is False
    rc, out, _ = cli("upload", "--treaty", "tri-new-start", "--no-save")
    cn_total = [ln for ln in out.splitlines() if "CN" in ln and "total" in ln]
    assert cn_total and "not computed" in cn_total[0]
