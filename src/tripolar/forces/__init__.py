"""Postures: one party's forces on a date, in the terms treaties count.

:mod:`~tripolar.forces.records` holds the records (:class:`Posture`, :class:`SystemHolding`,
the party list), :mod:`~tripolar.forces.io` reads posture files, and
:mod:`~tripolar.forces.build` builds a posture from the dataset.
"""

from __future__ import annotations

from tripolar.forces.build import build_posture
from tripolar.forces.io import load_posture, posture_from_mapping
from tripolar.forces.records import (
    CATEGORIES,
    STATE_NAMES,
    STATES,
    STRATEGIC_CATEGORIES,
    TRILATERAL,
    AggregateFigure,
    Posture,
    StockpileFigures,
    SystemHolding,
    check_state,
)

__all__ = [
    "CATEGORIES",
    "STATES",
    "STATE_NAMES",
    "STRATEGIC_CATEGORIES",
    "TRILATERAL",
    "AggregateFigure",
    "Posture",
    "StockpileFigures",
    "SystemHolding",
    "build_posture",
    "check_state",
    "load_posture",
    "posture_from_mapping",
]
