"""Party profiles (validation, provenance) and treaty utilities (terms, monotonicity)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from tripolar.errors import InputError
from tripolar.negotiation import (
    load_profile,
    load_profiles,
    make_outcome,
    negotiate,
    profile_sensitivity,
    utility,
)
from tripolar.negotiation.profiles import PROFILE_DIR

PROFILES = load_profiles()


def rec(
    w: float, launchers: float, r: dict[str, float], t: float = 0.0, bound: bool = False
) -> dict[str, Any]:
    return {
        "deployed_warheads": w,
        "launchers": launchers,
        "retaliation": r,
        "transparency": t,
        "bound": bound,
    }


R_US = {"RU": 1.0, "CN": 1.0, "coalition": 0.8}
R_RU = {"US": 1.0, "CN": 1.0, "coalition": 0.8}
R_CN = {"US": 0.7, "RU": 1.0, "coalition": 0.5}
THIRD = {"GB": 225, "FR": 290}


def no_deal() -> Any:
    return make_outcome(
        {
            "label": "no deal",
            "third_party_warheads": THIRD,
            "parties": {
                "US": rec(1670, 665, R_US),
                "RU": rec(1718, 540, R_RU),
                "CN": rec(1000, 400, R_CN),
            },
        }
    )


def outcome(
    us: float = 1550,
    ru: float = 1550,
    cn: float = 1000,
    *,
    cn_bound: bool = False,
    t: float = 0.8,
    r_us: dict[str, float] | None = None,
    provisions: tuple[str, ...] = (),
    launchers_us: float = 665,
) -> Any:
    return make_outcome(
        {
            "label": f"{us}/{ru}/{cn}",
            "provisions": list(provisions),
            "third_party_warheads": THIRD,
            "parties": {
                "US": rec(us, launchers_us, r_us or R_US, t),
                "RU": rec(ru, 540, R_RU, t),
                "CN": rec(cn, 400, R_CN, t if cn_bound else 0.0, cn_bound),
            },
        }
    )


def test_bundled_profiles_have_provenance() -> None:
    """Every weight is a judgement with a statement and source ids."""
    assert set(PROFILES) == {"US", "RU", "CN"}
    for prof in PROFILES.values():
        for name, j in prof.judgements().items():
            assert j.basis == "judgement" and j.statement and j.sources, name
    assert PROFILES["RU"].status.parity is not None
    assert PROFILES["RU"].status.parity.include_third_parties == ["GB", "FR"]
    assert PROFILES["CN"].status.order is not None
    assert PROFILES["CN"].linkage["bound:CN"].value < 0
    assert PROFILES["US"].linkage["bound:CN"].value > 0
    # every party values insight into each other party (weights per observed party)
    for p, prof in PROFILES.items():
        assert set(prof.assurance) == {"US", "RU", "CN"} - {p}


def test_no_deal_has_zero_utility() -> None:
    nd = no_deal()
    for prof in PROFILES.values():
        b = utility(prof, nd, nd)
        assert all(v == 0 for v in b.terms.values()) and b.total == 0


def test_terms_reported_separately() -> None:
    b = utility(PROFILES["US"], outcome(cn_bound=True), no_deal())
    assert set(b.terms) == {
        "security:RU",
        "security:CN",
        "security:coalition",
        "cost:warheads",
        "cost:launchers",
        "status:parity",
        "linkage:bound:CN",
        "transparency",
        "assurance:RU",
        "assurance:CN",
    }
    assert b.terms["cost:warheads"] == pytest.approx(0.3 * (1 - 1550 / 1670))
    assert b.terms["linkage:bound:CN"] == pytest.approx(0.6)
    assert b.terms["transparency"] == pytest.approx(-0.1 * 0.8)
    # insight into Russian and Chinese forces at the common level 0.8
    assert b.terms["assurance:RU"] == pytest.approx(0.3 * 0.8)
    assert b.terms["assurance:CN"] == pytest.approx(0.5 * 0.8)
    assert b.total == pytest.approx(sum(b.terms.values()))
    ru = utility(PROFILES["RU"], outcome(provisions=("uk_fr_accounted",)), no_deal())
    assert ru.terms["linkage:uk_fr_accounted"] == pytest.approx(0.5)
    assert ru.terms["linkage:missile_defence_limits"] == 0
    # parity against US + UK + FR: shortfall 1550+515-1550 vs 1670+515-1718 (share of 1718)
    assert ru.terms["status:parity"] == pytest.approx(-0.6 * (515 - 467) / 1718)


def test_term_separation() -> None:
    """Changing one input moves only the terms that depend on it."""
    nd = no_deal()
    base = utility(PROFILES["US"], outcome(), nd).terms
    more_r = utility(PROFILES["US"], outcome(r_us={**R_US, "coalition": 1.0}), nd).terms
    diff = {k for k in base if base[k] != more_r[k]}
    assert diff == {"security:coalition"}
    fewer_l = utility(PROFILES["US"], outcome(launchers_us=500), nd).terms
    assert {k for k in base if base[k] != fewer_l[k]} == {"cost:launchers"}
    # Changed deliberately with the assurance term: raising the common transparency of the
    # bound parties (US, RU; China unbound here) now also raises the US's insight into Russia.
    more_t = utility(PROFILES["US"], outcome(t=1.0), nd).terms
    assert {k for k in base if base[k] != more_t[k]} == {"transparency", "assurance:RU"}


@settings(max_examples=100, deadline=None)
@given(w1=st.floats(0, 4000), w2=st.floats(0, 4000))
def test_cost_monotone_in_own_warheads(w1: float, w2: float) -> None:
    lo, hi = sorted((w1, w2))
    nd = no_deal()
    for party in ("US", "RU", "CN"):
        kw_lo = {party.lower(): lo}
        kw_hi = {party.lower(): hi}
        a = utility(PROFILES[party], outcome(**kw_lo), nd).terms["cost:warheads"]
        b = utility(PROFILES[party], outcome(**kw_hi), nd).terms["cost:warheads"]
        assert a >= b


@settings(max_examples=100, deadline=None)
@given(r1=st.floats(0, 3), r2=st.floats(0, 3))
def test_security_monotone_and_saturating(r1: float, r2: float) -> None:
    lo, hi = sorted((r1, r2))
    nd = no_deal()
    s_lo = utility(PROFILES["US"], outcome(r_us={**R_US, "CN": lo}), nd).terms["security:CN"]
    s_hi = utility(PROFILES["US"], outcome(r_us={**R_US, "CN": hi}), nd).terms["security:CN"]
    assert s_hi >= s_lo
    if lo >= 1:
        assert s_hi == s_lo  # saturation at the retaliation requirement


@settings(max_examples=100, deadline=None)
@given(us=st.floats(100, 4000), ru=st.floats(100, 4000))
def test_parity_monotone(us: float, ru: float) -> None:
    """US parity term: non-decreasing in US warheads, non-increasing in Russia's."""
    nd = no_deal()
    p = PROFILES["US"]
    base = utility(p, outcome(us=us, ru=ru), nd).terms["status:parity"]
    assert utility(p, outcome(us=us + 50, ru=ru), nd).terms["status:parity"] >= base
    assert utility(p, outcome(us=us, ru=ru + 50), nd).terms["status:parity"] <= base


def test_china_order_norm() -> None:
    """'Largest arsenals cut first' [S48, S48b]: a Chinese cut while US/RU stay larger costs
    China; the same Chinese level after US/RU came down below it does not."""
    nd = no_deal()
    cn = PROFILES["CN"]
    unequal = utility(cn, outcome(us=1400, ru=1400, cn=800), nd).terms["status:order"]
    assert unequal == pytest.approx(-0.8 * 0.2)
    ordered = utility(cn, outcome(us=800, ru=800, cn=800), nd).terms["status:order"]
    assert ordered == 0


def test_negotiate_and_sensitivity() -> None:
    nd = no_deal()
    outs = [
        outcome(cn_bound=False, t=0.5),
        outcome(us=1400, ru=1400, cn_bound=False, t=0.5),
        outcome(cn=900, cn_bound=True, t=0.5),
    ]
    res = negotiate(PROFILES, outs, nd)
    assert res.utilities.matrix.shape == (3, 3)
    np.testing.assert_array_equal(res.utilities.disagreement, 0)
    d = res.to_dict()
    assert d["bargaining"]["parties"] == ["US", "RU", "CN"]
    # Changed deliberately with the assurance term. China, unbound in the first two outcomes,
    # stays outside their verification regime: it sees nothing and pays nothing, so it gains
    # nothing and there is no ZOPA; the US and Russia now gain from seeing each other.
    assert not res.report.nash.agreement
    assert np.all(res.utilities.matrix[2, :2] == 0)
    assert np.all(res.utilities.matrix[:2, :2] > 0)
    sens = profile_sensitivity(PROFILES, outs, nd, rel_step=0.1).to_frame()
    assert {"US:status.parity", "CN:linkage.bound:CN"} <= set(sens["weight"])
    assert len(sens) == 3 * sum(len(p.weights()) for p in PROFILES.values())
    long = res.utilities.to_frame()
    assert set(long.columns) == {"party", "outcome", "label", "term", "value"}


def test_missing_records_are_input_errors() -> None:
    nd = no_deal()
    bad = make_outcome({"parties": {"US": rec(1, 1, R_US)}})
    with pytest.raises(InputError, match="no record for RU"):
        utility(PROFILES["RU"], bad, nd)
    no_r = make_outcome({"parties": {"US": rec(1, 1, {"RU": 1.0})}})
    with pytest.raises(InputError, match="retaliation"):
        utility(PROFILES["US"], no_r, nd)
    with pytest.raises(InputError) as exc:
        make_outcome({"parties": {"US": rec(-1, 1, R_US)}})
    assert exc.value.field == "parties.US.deployed_warheads"
    with pytest.raises(InputError):
        make_outcome({"parties": {"US": rec(1, 1, {"RU": -0.5})}})
    no_third = make_outcome({"parties": {"US": rec(1, 1, R_US), "RU": rec(1, 1, R_RU)}})
    with pytest.raises(InputError, match="GB"):
        utility(PROFILES["RU"], no_third, no_third)


def _profile_dict() -> dict[str, Any]:
    return yaml.safe_load((PROFILE_DIR / "US.yaml").read_text())


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda d: d["cost"]["warheads"].pop("statement"), "cost.warheads.statement"),
        (lambda d: d["cost"]["warheads"].update(sources=[]), "cost.warheads.sources"),
        (lambda d: d["cost"]["warheads"].update(value=-1), "(top level)"),
        (lambda d: d["security"]["RU"].update(sources=["FAS"]), "security.RU"),
        (lambda d: d["security"].update(US=d["security"]["RU"]), "(top level)"),
        (lambda d: d.update(extra=1), "extra"),
        (lambda d: d["assurance"].update(US=d["assurance"]["CN"]), "(top level)"),
        (lambda d: d["assurance"].update(coalition=d["assurance"]["CN"]), "(top level)"),
        (lambda d: d["assurance"]["CN"].update(value=-0.5), "(top level)"),
        (lambda d: d["assurance"]["CN"].pop("sources"), "assurance.CN.sources"),
    ],
)
def test_bad_profile_yaml(tmp_path: Path, mutate, field: str) -> None:
    data = _profile_dict()
    mutate(data)
    path = tmp_path / "p.yaml"
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(InputError) as exc:
        load_profile(path)
    assert exc.value.file == str(path) and exc.value.field == field


def test_with_weights() -> None:
    us = PROFILES["US"].with_weights({"status.parity": 0.9, "linkage.bound:CN": 0.0})
    assert us.weights()["status.parity"] == 0.9 and us.weights()["linkage.bound:CN"] == 0.0
    assert PROFILES["US"].weights()["status.parity"] == 0.5
    cn = PROFILES["US"].with_weights({"assurance.CN": 0.9})
    assert cn.weights()["assurance.CN"] == 0.9 and cn.assurance["CN"].sources
    with pytest.raises(InputError, match="unknown weight"):
        PROFILES["US"].with_weights({"status.order": 1.0})
    with pytest.raises(InputError, match="no profile"):
        load_profile("FR")


def test_every_profile_source_resolves_to_a_dated_publication() -> None:
    """Each judgement's source id is in the bundled sources table, with a date and a URL."""
    from tripolar.data import load_dataset

    sources = load_dataset().tables["sources"].set_index("id")
    for party, prof in load_profiles().items():
        for sid in _profile_source_ids(prof.model_dump()):
            assert sid in sources.index, (party, sid)
            row = sources.loc[sid]
            assert str(row["date"]).strip() and str(row["url"]).startswith("http"), sid


def _profile_source_ids(obj: object) -> set[str]:
    out: set[str] = set()
    if isinstance(obj, dict):
        for k, v in obj.items():
            if k == "sources" and isinstance(v, list):
                out |= {str(x) for x in v}
            else:
                out |= _profile_source_ids(v)
    elif isinstance(obj, list):
        for v in obj:
            out |= _profile_source_ids(v)
    return out
