"""One party list: tripolar.forces.TRILATERAL, used by the CLI's party options."""

from __future__ import annotations

import pytest

from tripolar.forces import STATE_NAMES, STATES, TRILATERAL


def test_trilateral_is_us_russia_china_among_the_states() -> None:
    assert TRILATERAL == ("US", "RU", "CN")
    assert set(TRILATERAL) <= set(STATES) and all(p in STATE_NAMES for p in TRILATERAL)


@pytest.mark.parametrize("code", ["UK", "GB", "FR", "XX"])
def test_exchange_party_option_lists_the_trilateral_parties(cli, code: str) -> None:  # type: ignore[no-untyped-def]
    rc, _, err = cli("exchange", "--attacker", code, "--victim", "RU")
    assert rc == 2 and len(err.strip().splitlines()) == 1
    assert "--attacker" in err and " or ".join(TRILATERAL) in err
