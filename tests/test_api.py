"""The Python API mirrors the CLI and results render in notebooks."""

from __future__ import annotations

import tripolar


def test_api_round_trip() -> None:
    ds = tripolar.load_forces()
    assert "sources" in ds.tables and ds.content_hash
    assert "<table>" in ds._repr_html_()
    us = tripolar.build_posture("US", 2025)
    assert "<table" in us._repr_html_()
    t = tripolar.load_treaty("new-start")
    counts = t.count(us)
    assert counts["deployed_launchers"].value is not None
    ev = tripolar.evaluate(t, [us])
    assert set(ev.to_dict()["parties"]) == {"US", "RU"}
    assert "<table" in ev._repr_html_()
    frame = ev.to_frame()
    assert {"party", "limit", "count", "ceiling", "headroom", "status"} <= set(frame.columns)


def test_treaty_from_yaml(tmp_path) -> None:  # type: ignore[no-untyped-def]
    p = tmp_path / "t.yaml"
    p.write_text(
        "id: mine\nname: Mine\nparties: [US, RU, CN]\n"
        "limits:\n  - {id: w, quantity: deployed_warheads, ceiling: 1200}\n",
        encoding="utf-8",
    )
    t = tripolar.Treaty.from_yaml(str(p))
    ev = t.evaluate()
    assert ev.parties["US"].limits["w"].ceiling.value == 1200  # type: ignore[union-attr]


def test_unknown_attribute() -> None:
    import pytest

    with pytest.raises(AttributeError):
        _ = tripolar.no_such_thing  # type: ignore[attr-defined]


def test_documented_call_in_a_fresh_interpreter() -> None:
    """``python -c "import tripolar; tripolar.assess()"`` works (it once raised
    AttributeError because a module named ``tripolar.assess`` shadowed the function)."""
    import subprocess
    import sys

    code = (
        "import tripolar; from tripolar import assess; "
        "a = tripolar.assess(samples=20, columns=('stability',)); "
        "assert assess is tripolar.assess; "
        "print(len(a.proposals), a.proposals[0].stability.samples)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=True
    )
    n, samples = out.stdout.split()
    assert int(n) >= 5 and int(samples) == 20


def test_check_dataset_without_arguments() -> None:
    """``tripolar.check_dataset()`` checks the bundled dataset, as ``tripolar data check``."""
    rep = tripolar.check_dataset()
    assert rep.ok and rep.rows["sources"] > 0
    assert rep.rows == tripolar.check_dataset(tripolar.load_forces()).rows


def test_upload_potential_takes_evaluates_order() -> None:
    """``upload_potential(treaty, posture)`` as ``evaluate(treaty, postures)``; the old order
    still works for one release, with a DeprecationWarning, and gives the same result."""
    import pytest

    t = tripolar.load_treaty("new-start")
    us = tripolar.build_posture("US", 2025)
    new = tripolar.upload_potential(t, us)
    assert new.evaluation_after is not None
    with pytest.warns(DeprecationWarning, match=r"upload_potential\(treaty, posture\)"):
        old = tripolar.upload_potential(us, t)
    assert old.to_dict() == new.to_dict()
    assert tripolar.upload_potential(None, us).evaluation_after is None
    with pytest.raises(TypeError):
        tripolar.upload_potential(t, t)
