"""Notional three-party forces for tests and benchmarks (round numbers, not data).

Shaped loosely like the public picture (silo ICBMs, SSBNs, bombers, road-mobiles) so that the
exchange has every kind of target class; none of these figures is a claim about real forces.
"""

from __future__ import annotations

from tripolar.exchange.force import Force, ForceSystem
from tripolar.ranges import Range

R = Range.of


def _sys(sid, cat, basing, lau, wpl, y, cep, hard):  # type: ignore[no-untyped-def]
    return ForceSystem(
        system_id=sid,
        category=cat,
        basing=basing,
        launchers=lau,
        warheads_per_launcher=wpl,
        yield_kt=y,
        cep_m=cep,
        reliability=R(0.85, 0.75, 0.95),
        hardness_psi=hard,
        assumed=("reliability", "hardness_psi"),
    )


SILO = R(2000, 1000, 5000)
SOFT = R(30, 10, 100)
AIR = R(10, 5, 30)


def notional_forces() -> dict[str, Force]:
    return {
        "US": Force(
            "US",
            (
                _sys(
                    "icbm_a",
                    "icbm",
                    "silo",
                    R(400, 390, 400),
                    R(1, 1, 1.5),
                    R(300),
                    R(200, 120, 300),
                    SILO,
                ),
                _sys(
                    "slbm_a",
                    "slbm",
                    "ssbn",
                    R(240, 220, 240),
                    R(4, 3.5, 4.5),
                    R(100, 90, 455),
                    R(120, 90, 150),
                    SOFT,
                ),
                _sys(
                    "bomber_a", "bomber", "airbase", R(60, 50, 66), R(5, 4, 6), R(150), R(100), AIR
                ),
            ),
        ),
        "RU": Force(
            "RU",
            (
                _sys(
                    "icbm_s",
                    "icbm",
                    "silo",
                    R(150, 130, 170),
                    R(4, 3, 6),
                    R(500),
                    R(250, 150, 350),
                    SILO,
                ),
                _sys(
                    "icbm_m",
                    "icbm",
                    "road-mobile",
                    R(180, 160, 200),
                    R(3, 3, 4),
                    R(150),
                    R(200, 150, 300),
                    SOFT,
                ),
                _sys(
                    "slbm_r",
                    "slbm",
                    "ssbn",
                    R(160, 150, 176),
                    R(4, 3, 5),
                    R(100),
                    R(200, 150, 400),
                    SOFT,
                ),
                _sys(
                    "bomber_r", "bomber", "airbase", R(50, 40, 60), R(4, 3, 5), R(250), R(100), AIR
                ),
            ),
        ),
        "CN": Force(
            "CN",
            (
                _sys(
                    "icbm_c",
                    "icbm",
                    "silo",
                    R(100, 30, 150),
                    R(1, 1, 3),
                    R(250),
                    R(200, 100, 400),
                    SILO,
                ),
                _sys(
                    "icbm_d",
                    "icbm",
                    "road-mobile",
                    R(150, 120, 180),
                    R(1.5, 1, 3),
                    R(250),
                    R(200, 100, 400),
                    SOFT,
                ),
                _sys("slbm_c", "slbm", "ssbn", R(72, 60, 72), R(1), R(250), R(300, 150, 500), SOFT),
            ),
        ),
    }
