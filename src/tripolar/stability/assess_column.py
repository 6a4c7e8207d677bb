"""The ``stability`` column of ``tripolar assess``: least stable case per party and treaty.

For each proposal the forces are cut to comply (proportional rule), then the 9 cases are run
in both postures with a fixed seed and 200 samples (enough for medians; the full
``tripolar stability`` run uses 1,000). Per party: the smallest median ``r`` over the cases
where it is attacker or victim. Treaty level (key ``_treaty``): the least stable case.
"""

from __future__ import annotations

from typing import Any

from tripolar.forces import Posture
from tripolar.treaty.compliance import TreatyEvaluation
from tripolar.treaty.schema import Treaty

SAMPLES = 200
SEED = 1


def stability_column(
    treaty: Treaty, evaluation: TreatyEvaluation, postures: dict[str, Posture]
) -> dict[str, Any]:
    """Per party ``{"r_min", "case", "summary"}`` and ``_treaty`` with the least stable case."""
    from tripolar.exchange.alert import load_alert_levels
    from tripolar.exchange.montecarlo import PARTIES, real_forces
    from tripolar.stability.run import stability_report

    if sorted(postures) != sorted(PARTIES):
        return {"_treaty": {"summary": "n/a (needs US, RU and CN)"}}
    levels = load_alert_levels()
    forces, _notes, _compliance = real_forces(postures, levels, treaty=treaty)
    rep = stability_report(
        forces, levels, n_samples=SAMPLES, seed=SEED, treaty=treaty.id, rule="proportional"
    )
    out: dict[str, Any] = {}
    for party in PARTIES:
        best: tuple[float, str, str] | None = None
        for c in rep.cases:
            if party not in (*c.attackers, c.victim):
                continue
            r = c.stability_index[f"r_{party}"].median
            if best is None or r < best[0]:
                best = (r, c.label.replace("->", "→"), c.posture.replace("_", "-"))
        if best is not None:
            out[party] = {
                "r_min": best[0],
                "case": best[1],
                "posture": best[2],
                "summary": f"r_min {best[0]:.2f} ({best[1]}, {best[2]})",
            }
    ls = rep.least_stable
    out["_treaty"] = {
        **ls,
        "samples": SAMPLES,
        "seed": SEED,
        "summary": f"least stable {ls['case']} ({ls['posture'].replace('_', '-')}): "
        f"r_{ls['party']} {ls['r']:.2f}",
    }
    return out


def register() -> None:
    """Add the column to :data:`tripolar.assess.EXTRA_COLUMNS`."""
    from tripolar.assess import EXTRA_COLUMNS

    EXTRA_COLUMNS["stability"] = stability_column


register()
