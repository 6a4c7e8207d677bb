"""The documented input limits at their edges (docs/reliability.md, "Bad input")."""

from __future__ import annotations

from pathlib import Path

import pytest

from tripolar.errors import MAX_COUNT, MAX_ID_CHARS, InputError, from_validation_error
from tripolar.io_yaml import MAX_YAML_ALIASES, MAX_YAML_DEPTH, MAX_YAML_NODES, load_yaml_text


def _nest(depth: int) -> str:
    return "a: " + "[" * (depth - 1) + "]" * (depth - 1) + "\n"


def test_depth_limit_is_exact() -> None:
    # The top-level mapping is one level; the sequences add the rest.
    assert load_yaml_text(_nest(MAX_YAML_DEPTH)) is not None
    with pytest.raises(InputError, match=f"more than {MAX_YAML_DEPTH} levels"):
        load_yaml_text(_nest(MAX_YAML_DEPTH + 1), source="deep.yaml")


def test_alias_bomb_refused_before_expansion() -> None:
    levels = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for p, c in zip("abcdefgh", "bcdefghi", strict=True):
        levels.append(f"{c}: &{c} [{', '.join(['*' + p] * 9)}]")
    with pytest.raises(InputError, match=f"more than {MAX_YAML_NODES:,} values"):
        load_yaml_text("\n".join(levels) + "\n")


def test_alias_count_limit_is_exact() -> None:
    ok = "b: &b 1\nc: [" + ", ".join(["*b"] * MAX_YAML_ALIASES) + "]\n"
    assert len(load_yaml_text(ok)["c"]) == MAX_YAML_ALIASES
    with pytest.raises(InputError, match=f"more than {MAX_YAML_ALIASES} aliases"):
        load_yaml_text(ok.replace("]", ", *b]"))


def test_merge_keys_still_allowed_but_duplicates_refused() -> None:
    assert load_yaml_text("b: &b {v: 1}\nc: {<<: *b, v: 2}\n")["c"] == {"v": 2}
    with pytest.raises(InputError, match=r"line 2.*duplicate key 'a'"):
        load_yaml_text("a: 1\na: 2\n", source="dup.yaml")


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("n: 1" + "0" * 4300, r"unreadable integer \(more than 4,300 digits\)"),
        ("d: 2030-02-30", "unreadable date"),
    ],
)
def test_unreadable_scalars_name_the_line(text: str, fragment: str) -> None:
    with pytest.raises(InputError, match=f"line 1, column 4: {fragment}"):
        load_yaml_text(text, source="f.yaml")


def test_long_values_are_echoed_short() -> None:
    from pydantic import BaseModel, ValidationError

    class M(BaseModel):
        n: int

    with pytest.raises(ValidationError) as info:
        M.model_validate({"n": "x" * 200_000})
    line = str(from_validation_error(info.value, "f.yaml"))
    assert "(200,000 characters)" in line and len(line) < 300


def _treaty(tmp_path: Path, ceiling: str) -> Path:
    p = tmp_path / "t.yaml"
    p.write_text(
        "id: t\nname: t\nparties: [US, RU]\nlimits:\n"
        f"  - {{id: a, quantity: deployed_warheads, ceiling: {ceiling}}}\n"
    )
    return p


@pytest.mark.parametrize(
    ("ceiling", "code"),
    [(str(MAX_COUNT), None), (str(MAX_COUNT + 1), 2), (".inf", 2), (".nan", 2), ("-0.0", None)],
)
def test_ceiling_bounds(cli, tmp_path: Path, ceiling: str, code: int | None) -> None:  # type: ignore[no-untyped-def]
    rc, out, err = cli("check", "--treaty", str(_treaty(tmp_path, ceiling)), "--no-save", "--json")
    if code is None:
        assert rc in (0, 1, 3), err
        assert "Infinity" not in out and "NaN" not in out
    else:
        assert rc == 2 and err.count("\n") == 1 and "limits.0.ceiling" in err, err


def test_system_id_length(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    p = tmp_path / "p.yaml"
    p.write_text(
        "party: US\ndate: 2030-01-01\nsystems:\n"
        f"  - {{system_id: {'x' * (MAX_ID_CHARS + 1)}, category: icbm}}\n"
    )
    rc, _, err = cli("count", "--treaty", "new-start", "--posture", str(p), "--no-save")
    assert rc == 2 and "systems.0.system_id" in err and f"at most {MAX_ID_CHARS}" in err, err


@pytest.mark.parametrize(
    ("argv", "fragments"),
    [
        (["exchange", "--attacker", "RU", "--victim", "US", "--seed", "-1"], ["'--seed'", "'-1'"]),
        (["stability", "--samples", "x"], ["'--samples'", "(got 'x')", "whole number"]),
        (["path", "--to", "new-start", "--max-bundle", "9"], ["'--max-bundle'", "from 1 to 4"]),
        (["exchange", "--victim", "US"], ["'--attacker'", "missing option"]),
        (["exchange", "--sed", "1"], ["'--sed'", "did you mean --seed?"]),
        (["count", "--treaty"], ["'--treaty'", "requires an argument"]),
        (["nope"], ["tripolar: No such command 'nope'"]),
        (["count", "--treaty", "new-start", "extra"], ["tripolar count", "extra"]),
    ],
)
def test_usage_errors_are_one_line(cli, argv: list[str], fragments: list[str]) -> None:  # type: ignore[no-untyped-def]
    rc, out, err = cli(*argv)
    assert rc == 2 and out == ""
    assert err.startswith("error: ") and err.count("\n") == 1, err
    for f in fragments:
        assert f in err, err
