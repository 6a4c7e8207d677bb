"""Upload potential: empty MIRV positions, empty launchers, reconverted bombers."""

from __future__ import annotations

from tripolar.forces import posture_from_mapping
from tripolar.treaty import load_treaty
from tripolar.treaty.upload import upload_potential


def _posture():  # type: ignore[no-untyped-def]
    return posture_from_mapping(
        {
            "party": "US",
            "date": "2030-01-01",
            "systems": [
                {
                    "system_id": "icbm",
                    "category": "icbm",
                    "deployed_launchers": 100,
                    "warheads_loaded": 100,
                    "warheads_per_launcher_max": 3,
                    "nondeployed_launchers": 20,
                    "test_launchers": 2,
                    "nondeployed_missiles": 10,
                },
                {
                    "system_id": "bomber",
                    "category": "bomber",
                    "deployed_bombers": 10,
                    "nondeployed_bombers": 5,
                    "test_bombers": 1,
                    "converted_bombers": 4,
                    "warheads_per_launcher_max": 16,
                    "warheads_loaded": 0,
                },
                {
                    "system_id": "bomber-leg",
                    "category": "bomber",
                    "level": "leg",
                    "deployed_launchers": 0,
                    "nondeployed_launchers": 0,
                    "warheads_loaded": 50,
                },
            ],
            "stockpile": {"reserve": 500},
        }
    )


def test_upload_routes_add_up() -> None:
    res = upload_potential(None, _posture())
    by = {s.system_id: s for s in res.systems}
    icbm = by["icbm"]
    assert icbm.empty_mirv_positions.value == 200  # 100 missiles x (3 - 1)
    # 18 empty non-test silos, but only 10 spare missiles: 10 x 3
    assert icbm.empty_launchers.value == 30
    bomber = by["bomber"]
    assert bomber.bombers_returned.value == 8  # 4 non-deployed (not test) + 4 converted
    assert bomber.added_warheads.value == 18 * 16  # 18 bombers fully loaded
    # weapons already at bases, public only for the leg, are subtracted
    assert by["bomber-leg"].added_warheads.value == -50
    assert res.capacity.value == 230 + 288 - 50
    assert res.feasible_upload.value == 468  # reserve 500 is not binding


def test_breakout_against_a_treaty() -> None:
    t = load_treaty("new-start")
    res = upload_potential(t, _posture())
    ex = res.excess()
    assert ex["deployed_warheads"]["count_now"] == 100 + 10  # RVs + one per bomber
    # after upload: 300 + 30 RVs, 18 bombers (one each)
    assert ex["deployed_warheads"]["count_after_upload"] == 330 + 18
    assert ex["deployed_launchers"]["count_after_upload"] == 110 + 18
    assert ex["deployed_warheads"]["excess_after_upload"] == 0


def test_unknown_figures_make_upload_unknown() -> None:
    p = _posture()
    p.systems[0] = p.systems[0].model_copy(update={"warheads_per_launcher_max": None})
    res = upload_potential(load_treaty("new-start"), p)
    assert "icbm" in res.unknown_systems
    assert res.excess()["deployed_warheads"]["count_after_upload"] is None
