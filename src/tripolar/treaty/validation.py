"""How close the dataset's posture estimates come to the published New START data.

For each year whose system figures yield a posture, count it under New START's rules and
set it beside the declared aggregate nearest in time (State Department / Russian MFA data
exchanges, ``newstart_exchanges.csv``). The difference measures how well FAS/SIPRI-based
per-system estimates reproduce what the treaty actually counted; it is documented in
``docs/counting.md`` and tested.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from tripolar.data import load_dataset
from tripolar.errors import InputError
from tripolar.forces import build_posture
from tripolar.treaty.counting import _count_from_systems
from tripolar.treaty.io import load_treaty

_PAIRS = {
    "deployed_warheads": "warheads",
    "deployed_launchers": "deployed_launchers",
    "total_launchers": "total_launchers",
}


@dataclass
class ExchangeComparison:
    party: str
    estimate_year: int
    exchange_date: dt.date
    quantity: str
    estimate: float | None
    declared: float
    declared_grade: str

    @property
    def difference(self) -> float | None:
        return None if self.estimate is None else self.estimate - self.declared

    def to_dict(self) -> dict[str, Any]:
        return {
            "party": self.party,
            "estimate_year": self.estimate_year,
            "exchange_date": self.exchange_date.isoformat(),
            "quantity": self.quantity,
            "estimate": self.estimate,
            "declared": self.declared,
            "difference": self.difference,
            "declared_grade": self.declared_grade,
        }


def compare_with_exchanges(party: str = "US", data_dir: Any = None) -> list[ExchangeComparison]:
    """Dataset posture of each year (New START rules, per-system figures only) against the
    nearest declared aggregate of ``party``."""
    ds = load_dataset(data_dir)
    treaty = load_treaty("new-start")
    ex = ds.tables["newstart_exchanges"]
    ex = ex[(ex["party"] == party) & ex["value"].notna()]
    if ex.empty:
        return []
    years = sorted(
        {
            int(a)
            for a in ds.tables["system_figures"]["as_of"]
            if len(str(a)) == 4 and int(a) >= 2011
        }
    )
    out: list[ExchangeComparison] = []
    for year in years:
        try:
            posture = build_posture(party, year, data_dir=data_dir)
        except InputError:
            continue
        dates = sorted({dt.date.fromisoformat(d) for d in ex["date"]})
        target = dt.date(year, 1, 1)
        nearest = min(dates, key=lambda d: abs((d - target).days))
        for quantity, ex_q in _PAIRS.items():
            row = ex[(ex["date"] == nearest.isoformat()) & (ex["quantity"] == ex_q)]
            if row.empty:
                continue
            c = _count_from_systems(quantity, posture, treaty.counting)
            out.append(
                ExchangeComparison(
                    party,
                    year,
                    nearest,
                    quantity,
                    None if c.value is None else c.value.value,
                    float(row.iloc[0]["value"]),
                    str(row.iloc[0]["grade"]),
                )
            )
    return out
