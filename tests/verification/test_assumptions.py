"""The bundled assumptions file (verification/assumptions.yaml) and its loader."""

from __future__ import annotations

from importlib import resources

import pytest
import yaml

from tripolar.errors import InputError
from tripolar.verification import assumptions as am
from tripolar.verification import simulate as sim


def test_bundled_file_loads_and_is_complete() -> None:
    """Twelve assumptions, each with a range holding its default, a reason and a source;
    probabilities in [0, 1]; the public names are still importable from simulate."""
    a = am.DEFAULT_ASSUMPTIONS
    assert len(a) == 12
    for name, x in a.items():
        assert x.name == name
        assert x.low <= x.default <= x.high
        assert x.why and x.source
        if x.kind == "probability":
            assert x.low >= 0.0 and x.high <= 1.0
        assert set(x.strategies) <= set(am.STRATEGIES)
    assert a["focus_on_cheater"].strategies == am.STRATEGIES  # 'all' in the file
    assert a["upload_missile_fraction"].default == 0.10
    assert a["base_notice_probability"].low == 0.70
    assert sim.DEFAULT_ASSUMPTIONS is am.DEFAULT_ASSUMPTIONS
    assert sim.Assumptions is am.Assumptions and sim.parse_assumption is am.parse_assumption
    assert sim.STRATEGIES == am.STRATEGIES
    assert "source" in sim.Assumptions().to_dict()["hidden_sites"]


def _bundled_mapping() -> dict:  # type: ignore[type-arg]
    text = resources.files("tripolar.verification").joinpath("assumptions.yaml").read_text()
    data = yaml.safe_load(text)
    assert isinstance(data, dict)
    return data


@pytest.mark.parametrize(
    ("edit", "field"),
    [
        (lambda e: e.update(low=0.95), "rv_notice_probability"),
        (lambda e: e.update(high=1.5), "rv_notice_probability"),
        (lambda e: e.update(kind="share"), "rv_notice_probability.kind"),
        (lambda e: e.update(strategies=["bribe"]), "rv_notice_probability.strategies"),
        (lambda e: e.update(default="high"), "rv_notice_probability.default"),
        (lambda e: e.update(why=" "), "rv_notice_probability.why"),
        (lambda e: e.pop("source"), "rv_notice_probability"),
    ],
)
def test_bad_entries_are_refused(edit, field: str) -> None:  # type: ignore[no-untyped-def]
    data = _bundled_mapping()
    edit(data["rv_notice_probability"])
    with pytest.raises(InputError) as err:
        am.assumptions_from_mapping(data, source="test.yaml")
    assert err.value.field == field
    assert err.value.file == "test.yaml"
