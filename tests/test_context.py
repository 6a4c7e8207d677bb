"""The evaluation context: its alert-levels overrides are inputs like the others."""

from __future__ import annotations

import math

import pytest

from tripolar.context import EvaluationContext
from tripolar.errors import InputError


def test_overrides_are_sorted_floats_and_part_of_the_inputs() -> None:
    a = EvaluationContext(
        alert_overrides=(("parameters.reliability", 1), ("parameters.hardness_psi.silo", 3000.0))
    )
    assert a.alert_overrides == (
        ("parameters.hardness_psi.silo", 3000.0),
        ("parameters.reliability", 1.0),
    )
    assert all(isinstance(v, float) for _, v in a.alert_overrides)
    b = EvaluationContext(
        alert_overrides=(("parameters.hardness_psi.silo", 3000.0), ("parameters.reliability", 1.0))
    )
    assert a == b and hash(a) == hash(b)
    assert a != EvaluationContext()
    assert a.to_dict()["alert_overrides"] == {
        "parameters.hardness_psi.silo": 3000.0,
        "parameters.reliability": 1.0,
    }


def test_a_context_without_overrides_records_what_it_did_before() -> None:
    assert "alert_overrides" not in EvaluationContext().to_dict()
    assert EvaluationContext().alert_overrides == ()


def test_with_keeps_the_overrides_and_a_change_starts_new_caches() -> None:
    a = EvaluationContext(alert_overrides=(("parameters.reliability", 0.8),))
    a.cached("probe", lambda: 1)
    b = a.with_(rule="keep-ssbn")
    assert b.alert_overrides == a.alert_overrides and b.rule == "keep-ssbn"
    assert b.cached("probe", lambda: 2) == 2
    c = a.with_(alert_overrides=())
    assert c.alert_overrides == () and c == EvaluationContext()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ((("parameters.reliability", math.nan),), "alert_overrides.parameters.reliability"),
        ((("parameters.reliability", math.inf),), "alert_overrides.parameters.reliability"),
        ((("parameters.reliability", True),), "alert_overrides.parameters.reliability"),
        ((("parameters.reliability", "0.8"),), "alert_overrides.parameters.reliability"),
        ((("", 1.0),), "alert_overrides"),
        ((("parameters.reliability",),), "alert_overrides"),
        ("parameters.reliability", "alert_overrides"),
        (
            (("parameters.reliability", 0.8), ("parameters.reliability", 0.9)),
            "alert_overrides.parameters.reliability",
        ),
    ],
)
def test_bad_overrides_are_one_input_error_naming_the_field(overrides: object, field: str) -> None:
    with pytest.raises(InputError) as exc:
        EvaluationContext(alert_overrides=overrides)  # type: ignore[arg-type]
    assert exc.value.field == field
    assert "\n" not in str(exc.value)
