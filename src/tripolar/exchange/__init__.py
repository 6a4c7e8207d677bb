"""Counterforce exchange: weapon effects, weapon-target assignment and the exchange engine.

The weapon-effects functions (lethal radius, SSKP, TKP, several warheads, K/CMP/EMT) are
re-exported here; the allocation and the array-backend kernel live in
:mod:`tripolar.exchange.allocation` and :mod:`tripolar.exchange.backend`.
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
