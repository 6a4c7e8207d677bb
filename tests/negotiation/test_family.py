"""Treaty families: expansion, validation, and the symmetry of the bargaining solution."""

from __future__ import annotations

import numpy as np
import pytest

from tripolar.errors import InputError
from tripolar.negotiation.family import (
    OWN_REGIME,
    Family,
    analyse_family,
    expand,
    family_from_mapping,
    load_family,
    treaty_choice,
)
from tripolar.treaty.compliance import evaluate

from .symmetric import PARTIES, baseline, profiles


def _family(**over: object) -> Family:
    data: dict[str, object] = {
        "id": "test-fam",
        "name": "Test family",
        "deployed_warheads": {"per_party": {p: [1000, 1500] for p in PARTIES}},
    }
    data.update(over)
    return family_from_mapping(data, source="test")


def test_bundled_family_expands_to_its_size() -> None:
    fam = load_family("trilateral-ceilings")
    members = expand(fam)
    # 3 x 3 x 2 warhead ceilings, 2 stockpile options, 2 UK/French choices, 2 regimes
    assert fam.size() == len(members) == 144
    assert len({m.treaty.id for m in members}) == 144
    assert len({m.label for m in members}) == 144


def test_expansion_counts_and_contents() -> None:
    fam = _family(
        sublimits=[{"id": "launchers", "quantity": "deployed_launchers", "options": [None, 700]}],
        scope={"uk_fr_accounted": [False, True]},
        verification={"none": {}, "full": {"data_exchanges_per_year": 2, "notifications": True}},
    )
    members = expand(fam)
    assert len(members) == 8 * 2 * 2 * 2 == fam.size()
    m = members[-1]
    assert m.ceilings == {"US": 1500.0, "RU": 1500.0, "CN": 1500.0}
    assert m.provisions == ("uk_fr_accounted",)
    assert [lim.id for lim in m.treaty.limits] == ["deployed_warheads", "launchers"]
    assert m.treaty.verification.data_exchanges_per_year == 2
    ev = evaluate(m.treaty)
    assert ev.parties["US"].limits["deployed_warheads"].ceiling.value == 1500.0
    assert [len(expand(_family(deployed_warheads={"symmetric": True, "options": [1, 2, 3]})))] == [
        3
    ]


def test_null_ceiling_leaves_party_exempt() -> None:
    fam = _family(deployed_warheads={"per_party": {"US": [1000], "RU": [1000], "CN": [None]}})
    (m,) = expand(fam)
    ev = evaluate(m.treaty)
    assert ev.parties["CN"].limits["deployed_warheads"].status == "exempt"


@pytest.mark.parametrize(
    ("over", "field"),
    [
        (
            {"deployed_warheads": {"per_party": {"US": [-5], "RU": [1], "CN": [1]}}},
            "deployed_warheads",
        ),
        ({"deployed_warheads": {"per_party": {"US": [1], "RU": [1]}}}, "(top level)"),
        ({"deployed_warheads": {"symmetric": True, "options": [1] * 3000}}, "(top level)"),
        ({"sublimits": [{"id": "x", "quantity": "bogus", "options": [1]}]}, "sublimits"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_family_rejected_with_field(over: dict[str, object], field: str) -> None:
    with pytest.raises(InputError) as exc:
        _family(**over)
    assert exc.value.field is not None and exc.value.field.startswith(field)


def test_symmetric_family_symmetric_profiles_give_symmetric_solution() -> None:
    """Three identical parties and a family symmetric under relabelling: the Nash and KS
    outcomes give every party the same utility (symmetry axiom, Nash 1950)."""
    fam = _family(deployed_warheads={"per_party": {p: [1000, 1400, 1800] for p in PARTIES}})
    an = analyse_family(fam, baseline(), profiles(security=0.3), rel_step=0.1)
    rep = an.result.report
    assert rep.zopa.size > 0
    for sol in (rep.nash, rep.kalai_smorodinsky):
        assert sol.utilities is not None
        np.testing.assert_allclose(sol.utilities, sol.utilities[0], rtol=1e-9)
        ceilings = set(an.members[sol.index].ceilings.values())
        assert len(ceilings) == 1
    # every profile weight is in the sensitivity table, for each method
    names = {r["weight"] for r in an.sensitivity.rows}
    assert {f"{p}:cost.warheads" for p in PARTIES} <= names
    d = an.to_dict()
    assert d["solutions"]["nash"]["ceilings"] == an.members[rep.nash.index].ceilings


def test_a_treaty_makes_the_choices_of_a_family() -> None:
    """treaty_choice gives back every member's choice from its treaty alone, so that a red
    line applies to an own treaty as to a member; and it reads a treaty written by hand."""
    from tripolar.negotiation.evaluate import build_baseline
    from tripolar.treaty import load_treaty
    from tripolar.treaty.schema import Treaty

    fam = load_family("trilateral-ceilings")
    base = build_baseline()
    for m in expand(fam):
        assert treaty_choice(fam, m.treaty, base, provisions=m.provisions) == m.choice, m.label
    # New START binds the US and Russia at 1,550 (Article II), China is not a party
    ns = treaty_choice(fam, load_treaty("new-start"), base)
    assert ns["deployed_warheads"] == {"US": 1550.0, "RU": 1550.0, "CN": None}
    assert ns["sublimits"] == {"stockpile_warheads": None}
    assert ns["verification"] == "new-start" and ns["uk_fr_accounted"] is False
    # a regime that is none of the family's, and a stockpile ceiling that differs by party
    t = load_treaty("tri-equal-1000").model_dump(mode="json")
    t["verification"] = {"data_exchanges_per_year": 1}
    t["limits"].append(
        {
            "id": "stock",
            "quantity": "stockpile_warheads",
            "per_party": {"US": 2000, "RU": 2000, "CN": 800},
        }
    )
    own = treaty_choice(fam, Treaty.model_validate(t), base)
    assert own["deployed_warheads"] == {"US": 1000.0, "RU": 1000.0, "CN": 1000.0}
    assert own["verification"] == OWN_REGIME
    assert own["sublimits"] == {"stockpile_warheads": "US2000 RU2000 CN800"}
