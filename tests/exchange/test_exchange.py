"""Counterforce exchange accounting (models.md 2.1)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from tripolar.exchange.alert import load_alert_levels
from tripolar.exchange.effects import lethal_radius_m, sskp, terminal_kill_probability
from tripolar.exchange.exchange import all_exchanges, counterforce_exchange, party_state
from tripolar.exchange.first_strike import StrikeSide, first_strike

sys.path.insert(0, str(Path(__file__).parent))
from notional import notional_forces


def test_two_on_each_silo_example():
    """models.md 2.1 [C]: 400 single-warhead silos, two warheads each of TKP 0.8971:
    P_k = 0.98941, 4.237 expected surviving silos (warheads)."""
    tkp = float(terminal_kill_probability(sskp(lethal_radius_m(455.0, 3000.0), 90.0), 0.9))
    assert tkp == pytest.approx(0.8971, abs=1e-4)
    attacker = StrikeSide.from_systems("A", [800], [1], [True], [0.0], 900)
    victim = StrikeSide.from_systems("B", [400, 10], [1, 10], [True, False], [0.0, 1.0], 900)
    fs = first_strike([attacker], [victim], [tkp, tkp], spend=800)
    assert float(fs.class_survivors[0]) == pytest.approx(4.237, abs=1e-3)
    assert float(fs.victim_survivors[0]) == pytest.approx(4.237 + 100, abs=1e-3)


def test_accounting_and_reserve():
    lv = load_alert_levels()
    st = {k: party_state(f, lv, "day_to_day") for k, f in notional_forces().items()}
    with_third = counterforce_exchange([st["US"]], st["RU"], st["CN"])
    alone = counterforce_exchange([st["US"]], st["RU"], None)
    assert float(with_third.reserve[0]) == pytest.approx(600 * np.log(2) / np.log(5))
    assert (with_third.victim_survivors_by_system <= with_third.victim_warheads_before + 1e-9).all()
    assert (
        float(with_third.victim_retaliatory_capacity[0])
        >= float(alone.victim_retaliatory_capacity[0]) - 1e-9
    )
    # Untargetable warheads always survive.
    n_sys = st["RU"].untargetable_by_system().shape[1]
    surv = with_third.victim_survivors_by_system[0, :n_sys]
    assert (surv >= st["RU"].untargetable_by_system()[0] - 1e-9).all()
    total_us = float(st["US"].force.warheads.sum())
    assert float(alone.attacker_remaining[0]) == pytest.approx(total_us - float(alone.spend[0]))
    assert alone.to_frame().shape[0] == len(st["RU"].class_labels)
    assert "victim_survivors_by_system" in alone.to_dict()


def test_generated_posture_leaves_more_survivors():
    lv = load_alert_levels()
    f = notional_forces()
    d = {k: party_state(v, lv, "day_to_day") for k, v in f.items()}
    g = {k: party_state(v, lv, "generated") for k, v in f.items()}
    for victim in ("US", "RU"):
        att = next(x for x in f if x != victim)
        rd = counterforce_exchange([d[att]], d[victim])
        rg = counterforce_exchange([g[att]], g[victim])
        assert float(rg.victim_retaliatory_capacity[0]) >= float(rd.victim_retaliatory_capacity[0])


def test_all_exchanges_count():
    res = all_exchanges(notional_forces(), load_alert_levels())
    assert len(res) == 18
    coalitions = [r for r in res if len(r.attackers) == 2]
    assert len(coalitions) == 6 and all(r.third is None for r in coalitions)


def test_force_from_posture_marks_assumptions():
    import datetime as dt

    from tripolar.exchange.force import force_from_posture
    from tripolar.forces import Posture, SystemHolding
    from tripolar.ranges import Range

    post = Posture(
        party="US",
        date=dt.date(2025, 1, 1),
        systems=[
            SystemHolding(
                system_id="mm3",
                category="icbm",
                basing="silo",
                deployed_launchers=Range.of(400),
                warheads_loaded=Range.of(400, 400, 600),
                yield_kt=Range.of(300, 300, 335),
            ),
            SystemHolding(system_id="none", category="icbm", deployed_launchers=None),
        ],
    )
    f = force_from_posture(post, load_alert_levels())
    (s,) = f.systems
    assert s.fixed and s.warheads_per_launcher.value == 1 and s.warheads_per_launcher.high == 1.5
    assert "cep_m" in s.assumed and "yield_kt" not in s.assumed and "hardness_psi" in s.assumed
    assert s.hardness_psi.low == 1000
