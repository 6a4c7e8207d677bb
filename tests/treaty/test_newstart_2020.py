"""Validation against the record: the US posture of 1 September 2020 under New START."""

from __future__ import annotations

import json

from tripolar.data import bundled_dir
from tripolar.forces import load_posture
from tripolar.treaty import evaluate, load_treaty

POSTURE = bundled_dir() / "postures" / "us-2020-09-01.yaml"


def test_new_start_counts_reproduce_state_department_figures() -> None:
    """US State Department, New START data as of 1 Sep 2020 (released 1 Dec 2020) [S10]:
    675 deployed ICBMs, SLBMs and heavy bombers; 800 deployed and non-deployed launchers;
    1,457 warheads. The launcher figures follow from the category breakdown alone; the
    warhead figure from the declared reentry-vehicle total (see the posture file's notes).
    """
    t = load_treaty("new-start")
    p = load_posture(POSTURE)
    ev = evaluate(t, {"US": p})
    lim = ev.parties["US"].limits
    assert lim["deployed_launchers"].count.value == 675  # type: ignore[union-attr]
    assert lim["total_launchers"].count.value == 800  # type: ignore[union-attr]
    assert lim["deployed_warheads"].count.value == 1457  # type: ignore[union-attr]
    assert lim["total_launchers"].headroom.value == 0  # type: ignore[union-attr]
    assert all(r.status == "complies" for r in lim.values())


def test_count_cli_json_shape(cli) -> None:  # type: ignore[no-untyped-def]
    code, out, err = cli("count", "--treaty", "new-start", "--posture", str(POSTURE), "--json")
    assert code == 0, err
    d = json.loads(out)
    assert d["treaty"] == "new-start"
    us = d["parties"]["US"]["limits"]
    assert us["deployed_warheads"]["count"] == 1457
    assert us["deployed_warheads"]["ceiling"] == 1550
    assert us["deployed_warheads"]["headroom"] == 93
    assert us["deployed_launchers"] == {
        **us["deployed_launchers"],
        "count": 675,
        "ceiling": 700,
        "headroom": 25,
    }
    assert us["total_launchers"]["count"] == 800
    assert list(d["parties"]) == ["US"]


def test_dataset_2025_estimate_close_to_last_us_declaration() -> None:
    """The US released its New START aggregates for 1 Mar 2023 unilaterally [S11]:
    662 deployed launchers, 1,419 warheads, 800 launchers. The 2025 dataset posture
    (FAS 2025 with the 2020 official bomber and SLBM counts) comes within 3 %."""
    from tripolar.treaty.validation import compare_with_exchanges

    rows = {
        r.quantity: r
        for r in compare_with_exchanges("US")
        if r.estimate_year == 2025 and r.estimate is not None
    }
    assert set(rows) == {"deployed_warheads", "deployed_launchers", "total_launchers"}
    for r in rows.values():
        assert r.exchange_date.isoformat() == "2023-03-01"
        assert abs(r.difference or 0) <= 0.03 * r.declared, r.to_dict()
