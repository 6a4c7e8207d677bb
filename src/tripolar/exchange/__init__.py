"""Counterforce exchange: weapon effects, the first-strike optimiser and the exchange engine.

The weapon-effects functions (lethal radius, SSKP, TKP, several warheads, K/CMP/EMT) are
re-exported here; the Monte Carlo's kill-probability kernel lives in
:mod:`tripolar.exchange.backend`.
"""

from __future__ import annotations

from tripolar.exchange.effects import (
    counter_military_potential,
    equivalent_megatons,
    kill_probability_n,
    kill_probability_same_booster,
    lethal_radius_m,
    lethality_k,
    penetration_probability,
    sskp,
    terminal_kill_probability,
    validate_effect_inputs,
)

__all__ = [
    "counter_military_potential",
    "equivalent_megatons",
    "kill_probability_n",
    "kill_probability_same_booster",
    "lethal_radius_m",
    "lethality_k",
    "penetration_probability",
    "sskp",
    "terminal_kill_probability",
    "validate_effect_inputs",
]
