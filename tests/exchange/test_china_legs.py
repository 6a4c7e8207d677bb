"""China's whole strategic force in the exchange: the SLBM and bomber legs modelled from the
dataset's leg figures (issue "Every number and every message true", point 5)."""

from __future__ import annotations

import pytest

from tripolar.data import load_dataset
from tripolar.exchange.alert import load_alert_levels
from tripolar.exchange.force import dataset_leg_figures, exchange_posture, force_for_exchange
from tripolar.exchange.montecarlo import real_forces
from tripolar.forces import build_posture
from tripolar.ranges import Range


@pytest.fixture(scope="module")
def cn():
    return build_posture("CN", 2025)


@pytest.fixture(scope="module")
def legs():
    return dataset_leg_figures(load_dataset(None), "CN", 2025)


def test_leg_figures_read_from_the_dataset(legs):
    """system_figures.csv: cn-slbm-leg 6 boats x 12 tubes = 72 launchers (S03; S81), 72
    warheads assigned (FAS 2025 via S03c); cn-bomber-leg 20 warheads assigned (S03c)."""
    slbm, bomber = legs["slbm"], legs["bomber"]
    assert slbm.system_id == "cn-slbm-leg" and bomber.system_id == "cn-bomber-leg"
    assert slbm.get("boats").value.value == 6
    assert slbm.get("tubes_per_boat").value.value == 12
    assert slbm.get("launchers_total").value.value == 72
    assert slbm.get("warheads_assigned").value.value == 72
    assert slbm.get("warheads_assigned").sources == ("S03c",)
    assert bomber.get("warheads_assigned").value.value == 20
    assert bomber.get("launchers_total") is None


def test_china_legs_in_the_exchange(cn, legs):
    lv = load_alert_levels()
    force, notes = force_for_exchange(cn, lv, legs)
    by_id = {s.system_id: s for s in force.systems}
    assert set(by_id) == {"cn-icbm-leg", "cn-slbm-leg", "cn-bomber-leg"}
    slbm, bomber = by_id["cn-slbm-leg"], by_id["cn-bomber-leg"]
    assert (slbm.basing, slbm.category) == ("ssbn", "slbm")
    assert slbm.launchers.value == 72 and slbm.warheads.value == 72
    # Bomber launchers not public: warheads / the H-6N's one ALBM (cn-h6n, S03) = 20 aircraft.
    assert (bomber.basing, bomber.category) == ("airbase", "bomber")
    assert bomber.launchers.value == 20 and bomber.warheads.value == 20
    assert not bomber.counterforce_capable and slbm.counterforce_capable
    text = "\n".join(notes)
    assert "cn-slbm-leg: warheads = warheads_assigned 72 (2025, S03c, grade C)" in text
    assert "launchers = launchers_total 72" in text and "boats 6" in text
    assert "cn-bomber-leg: warheads = warheads_assigned 20" in text
    assert "left out of the exchange" not in text.replace("cn-df26: non-strategic, left out", "")
    assert "added after any treaty cut" in text


def test_without_leg_figures_the_legs_stay_out(cn):
    """The posture alone has no counts for the two legs: without leg figures they are left
    out (and said to be), as before."""
    ready, notes = exchange_posture(cn)
    assert {h.category for h in ready.systems} == {"icbm"}
    assert any("slbm: launchers or warheads not public; left out" in n for n in notes)


def test_a_posture_with_counts_does_not_use_the_legs(cn, legs):
    """Where the posture gives the leg's counts, those are used, not the dataset's leg."""
    systems = [
        h.model_copy(
            update={"deployed_launchers": Range.exact(12.0), "warheads_loaded": Range.exact(12.0)}
        )
        if h.system_id == "cn-jl3"
        else h
        for h in cn.systems
        if h.system_id != "cn-jl2"
    ]
    own = cn.model_copy(update={"systems": systems})
    force, _ = force_for_exchange(own, load_alert_levels(), legs)
    slbm = [s for s in force.systems if s.category == "slbm"]
    assert [(s.system_id, s.warheads.value) for s in slbm] == [("cn-jl3", 12.0)]


def test_real_forces_include_the_legs_and_stockpile_holds():
    lv = load_alert_levels()
    forces, notes, _ = real_forces({p: build_posture(p, 2025) for p in ("US", "RU", "CN")}, lv)
    cn_force = forces["CN"]
    total = sum(s.warheads.value for s in cn_force.systems)
    # 400 ICBM (launchers x loading) + 72 SLBM + 20 bomber, within the 600-warhead stockpile.
    assert total == pytest.approx(492.0)
    assert total <= 600
    assert any(
        n.startswith("CN slbm: launchers and loaded warheads not in the posture") for n in notes
    )
