"""Saving and reading runs, dataset editions, treaties and postures; all-or-nothing writes."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tripolar import __version__
from tripolar.errors import InputError
from tripolar.store import Store, content_hash
from tripolar.store.models import Run

EDITION = "e" * 64
TREATY_YAML = "id: new-start\nlimits:\n  deployed_warheads: 1550\n"
POSTURE_YAML = "party: RU\nas_of: 2024-01-01\nsystems: []\n"


def _count(store: Store, table: str) -> int:
    with store.engine.connect() as conn:
        return int(conn.execute(sa.text(f"SELECT COUNT(*) FROM {table}")).scalar_one())


def _text(max_size: int) -> st.SearchStrategy[str]:
    # Without U+0000, which the store refuses (test_nul_characters_are_refused_before_writing).
    return st.text(
        st.characters(exclude_categories=["Cs"], exclude_characters="\x00"), max_size=max_size
    )


def test_record_run_round_trip(store: Store) -> None:
    inputs = {
        "treaty": {"id": "new-start", "hash": content_hash(TREATY_YAML)},
        "seed": 7,
        "parties": ["US", "RU", "CN"],
        "note": "Договор",
    }
    outputs = {"compliant": {"US": True, "RU": False}, "margin": [12.5, -3.0], "n": None}
    saved = store.record_run("assess", inputs, outputs, dataset_hash=EDITION)
    assert saved.id == 1
    got = store.get_run(saved.id)
    assert got == saved
    assert got.inputs == inputs
    assert got.outputs == outputs
    assert got.inputs_hash == content_hash(inputs)
    assert got.dataset_hash == EDITION
    assert got.tool_version == __version__
    assert got.status == "ok"
    assert got.started_at.tzinfo is not None and got.started_at.utcoffset() == timedelta(0)
    assert got.started_at <= got.finished_at
    assert got.to_dict()["inputs"] == inputs


def test_timestamps_are_stored_as_utc(store: Store) -> None:
    plus_three = datetime(2024, 5, 1, 18, 0, tzinfo=timezone(timedelta(hours=3)))
    saved = store.record_run("assess", {}, {}, dataset_hash=None, started_at=plus_three)
    got = store.get_run(saved.id)
    assert got.started_at == datetime(2024, 5, 1, 15, 0, tzinfo=UTC)
    assert got.started_at.tzinfo == UTC


def test_naive_start_time_is_refused(store: Store) -> None:
    with pytest.raises(ValueError, match="timezone"):
        store.record_run("assess", {}, {}, dataset_hash=None, started_at=datetime(2024, 1, 1))


@settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.dictionaries(_text(6), st.integers() | _text(5), max_size=6))
def test_inputs_hash_is_stable_under_key_order(store: Store, inputs: dict) -> None:
    forward = store.record_run("x", inputs, {}, dataset_hash=None)
    backward = store.record_run("x", dict(reversed(list(inputs.items()))), {}, dataset_hash=None)
    assert forward.inputs_hash == backward.inputs_hash == content_hash(inputs)


def test_run_context_manager_saves_on_normal_exit(store: Store) -> None:
    inputs = {"seed": 3}
    with store.run("exchange", inputs, dataset_hash=EDITION, tool_version="9.9") as run:
        inputs["seed"] = 4  # the recorded inputs are a snapshot taken at the start
        run.outputs = {"surviving_warheads": 812}
        assert run.id is None
    assert run.id == 1
    got = store.get_run(1)
    assert got.inputs == {"seed": 3}
    assert got.outputs == {"surviving_warheads": 812}
    assert got.tool_version == "9.9"
    assert got.command == "exchange"


def test_status_can_mark_a_negative_finding(store: Store) -> None:
    with store.run("assess", {}, dataset_hash=None) as run:
        run.outputs = {"compliant": False}
        run.status = "violation"
    assert store.get_run(run.id or 0).status == "violation"


@pytest.mark.parametrize("error", [RuntimeError("model failed"), KeyboardInterrupt()])
def test_interrupted_run_leaves_nothing(store: Store, error: BaseException) -> None:
    with pytest.raises(type(error)), store.run("assess", {"seed": 1}, dataset_hash=None) as run:
        run.add_treaty("new-start", TREATY_YAML)
        run.add_dataset_edition(EDITION, "bundled", {"forces.csv": "a" * 64})
        run.outputs = {"partial": True}
        raise error
    assert run.record is None
    for table in ("runs", "treaties", "dataset_editions", "postures"):
        assert _count(store, table) == 0


def test_failure_in_the_middle_of_a_multi_row_write_leaves_nothing(store: Store) -> None:
    """Treaty, posture and edition rows are flushed before the run row; the run row fails."""

    def fail(*_args: object) -> None:
        raise RuntimeError("disk full (simulated)")

    sa.event.listen(Run, "before_insert", fail)
    try:
        with (
            pytest.raises(RuntimeError, match="simulated"),
            store.run("assess", {"seed": 1}, dataset_hash=EDITION) as run,
        ):
            run.add_dataset_edition(EDITION, "bundled", {"forces.csv": "a" * 64})
            run.add_treaty("new-start", TREATY_YAML)
            run.add_posture("RU", "2024-01-01", POSTURE_YAML)
            run.outputs = {"ok": True}
    finally:
        sa.event.remove(Run, "before_insert", fail)
    for table in ("runs", "treaties", "dataset_editions", "postures"):
        assert _count(store, table) == 0


_REFUSE_RUNS = {
    "sqlite": [
        "CREATE TRIGGER refuse_runs BEFORE INSERT ON runs "
        "BEGIN SELECT RAISE(ABORT, 'refused by test trigger'); END"
    ],
    "postgresql": [
        "CREATE FUNCTION refuse_runs() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION 'refused by test trigger'; END $$",
        "CREATE TRIGGER refuse_runs BEFORE INSERT ON runs "
        "FOR EACH ROW EXECUTE FUNCTION refuse_runs()",
    ],
}


def test_database_error_mid_write_rolls_back(store: Store) -> None:
    """A failure raised by the database itself after other rows were written undoes them."""
    with store.engine.begin() as conn:
        for statement in _REFUSE_RUNS[conn.dialect.name]:
            conn.exec_driver_sql(statement)
    with (
        pytest.raises(InputError, match="refused by test trigger"),
        store.run("assess", {}, dataset_hash=None) as run,
    ):
        run.add_treaty("new-start", TREATY_YAML)
        run.add_posture("US", 2024, POSTURE_YAML)
    assert _count(store, "treaties") == 0
    assert _count(store, "postures") == 0
    assert _count(store, "runs") == 0


def test_saved_texts_travel_with_the_run(store: Store) -> None:
    with store.run("assess", {}, dataset_hash=EDITION) as run:
        treaty_hash = run.add_treaty("new-start", TREATY_YAML)
        posture_hash = run.add_posture("RU", "2024-01-01", POSTURE_YAML)
        edition_hash = run.add_dataset_edition(EDITION, "bundled 2025", {"forces.csv": "a" * 64})
    assert store.get_treaty("new-start", treaty_hash).yaml_text == TREATY_YAML
    assert store.get_posture(posture_hash).yaml_text == POSTURE_YAML
    assert store.get_dataset_edition(edition_hash).files == {"forces.csv": "a" * 64}


def test_saves_are_idempotent_on_content_hash(store: Store) -> None:
    first = store.save_treaty("new-start", TREATY_YAML)
    assert store.save_treaty("new-start", TREATY_YAML) == first
    changed = store.save_treaty("new-start", TREATY_YAML + "# amended\n")
    assert changed != first
    assert store.save_treaty("other", TREATY_YAML) not in (first, changed)
    assert _count(store, "treaties") == 3

    p1 = store.save_posture("RU", "2024-01-01", POSTURE_YAML)
    assert store.save_posture("RU", "2024-01-01", POSTURE_YAML) == p1
    assert _count(store, "postures") == 1

    e1 = store.save_dataset_edition(EDITION, "bundled", {"forces.csv": "a" * 64})
    assert store.save_dataset_edition(EDITION, "renamed", {"forces.csv": "a" * 64}) == e1
    assert store.get_dataset_edition(EDITION).name == "bundled"

    record = store.get_treaty("new-start", content_hash(TREATY_YAML))
    assert record.content_hash == hashlib.sha256(TREATY_YAML.encode()).hexdigest()
    assert record.saved_at.tzinfo is not None


def test_list_runs_newest_first_with_limit_and_command(store: Store) -> None:
    for i in range(5):
        store.record_run("assess" if i % 2 == 0 else "exchange", {"i": i}, {}, dataset_hash=None)
    assert [r.id for r in store.list_runs()] == [5, 4, 3, 2, 1]
    assert [r.id for r in store.list_runs(limit=2)] == [5, 4]
    assert [r.id for r in store.list_runs(command="exchange")] == [4, 2]
    assert store.list_runs(command="nothing") == []
    with pytest.raises(InputError, match="limit"):
        store.list_runs(limit=0)


def test_run_ids_are_never_reused(store: Store) -> None:
    store.record_run("a", {}, {}, dataset_hash=None)
    second = store.record_run("a", {}, {}, dataset_hash=None)
    with store.engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM runs WHERE id = :i"), {"i": second.id})
    assert store.record_run("a", {}, {}, dataset_hash=None).id == second.id + 1


def test_unknown_run_id(store: Store) -> None:
    with pytest.raises(InputError, match="no run with id 42"):
        store.get_run(42)


def test_unknown_texts(store: Store) -> None:
    with pytest.raises(InputError, match="no treaty"):
        store.get_treaty("new-start", "0" * 64)
    with pytest.raises(InputError, match="no posture"):
        store.get_posture("0" * 64)
    with pytest.raises(InputError, match="no dataset edition"):
        store.get_dataset_edition("0" * 64)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"dataset_hash": "abc"}, "dataset_hash"),
        ({"dataset_hash": "E" * 64}, "dataset_hash"),
        ({"dataset_hash": None, "tool_version": "x" * 51}, "tool_version"),
    ],
)
def test_bad_run_arguments_are_refused_before_writing(
    store: Store, kwargs: dict, match: str
) -> None:
    with pytest.raises(InputError, match=match):
        store.record_run("assess", {}, {}, **kwargs)
    with pytest.raises(InputError, match="command"):
        store.record_run("", {}, {}, dataset_hash=None)
    with pytest.raises(InputError, match="files"):
        store.save_dataset_edition(EDITION, "bundled", {"forces.csv": "not-a-hash"})
    assert _count(store, "runs") == 0
    assert _count(store, "dataset_editions") == 0


def test_unstorable_outputs_roll_back_the_run(store: Store) -> None:
    with pytest.raises(TypeError), store.run("assess", {}, dataset_hash=None) as run:
        run.add_treaty("new-start", TREATY_YAML)
        run.outputs = {"model": object()}
    assert _count(store, "runs") == 0
    assert _count(store, "treaties") == 0
