"""Every block of real output in README.md and docs/ is what its command prints now.

Regenerate after a change with ``python tests/transcripts.py --update`` and read the diff.
The second half checks the comparer itself: its masks hide only what they name.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from transcripts import (
    ROOT,
    Block,
    MarkerError,
    _pg_server_module,
    blocks,
    chains,
    compare,
    diff,
    doc_files,
    run_chain,
)

ALL = [b for p in doc_files() for b in blocks(p)]
CHAINS = [c for p in doc_files() for c in chains(blocks(p)) if not c[0].skip]
#: Blocks marked ``<!-- transcript: skip (REASON) -->``: none today. The cap only goes down;
#: a block that cannot run names why in its marker.
SKIPPED_AT_MOST = 0


def _id(chain: list[Block]) -> str:
    where = f"{chain[0].path.relative_to(ROOT)}:{chain[0].start + 1}"
    return where if len(chain) == 1 else f"{where}+{len(chain) - 1}"


def test_there_are_transcripts() -> None:
    checked = [b for c in CHAINS for b in c]
    assert len(checked) >= 10
    assert len(ALL) - len(checked) <= SKIPPED_AT_MOST, [
        f"{b.path.relative_to(ROOT)}:{b.start + 1}: {b.skip}" for b in ALL if b.skip
    ]
    for b in checked:
        for cmd, out in b.steps:
            assert "..." not in out, f"{b.path.relative_to(ROOT)}:{b.start + 1}: elided output"
            assert cmd.strip(), b.path


@pytest.mark.parametrize("chain", CHAINS, ids=[_id(c) for c in CHAINS])
def test_transcript(chain: list[Block]) -> None:
    if any(b.postgresql for b in chain):
        pg_server = _pg_server_module()
        try:
            actual = run_chain(chain)
        except pg_server.ServerUnavailable as exc:
            if pg_server.in_ci():
                pytest.fail(f"CI is set, so PostgreSQL transcripts must run: {exc}")
            pytest.skip(f"no PostgreSQL server for this transcript ({exc}); CI fails instead")
    else:
        actual = run_chain(chain)
    diffs = [d for d in compare(chain, actual) if d]
    assert not diffs, (
        "\n" + "\n".join(diffs) + "\n(regenerate: python tests/transcripts.py --update)"
    )


# The comparer ---------------------------------------------------------------------------

ESCROW = """\
<!-- transcript: vary digests leaf-order (random salts) -->
```
$ tripolar escrow commit d.csv --out US --party US --date 2026-11-25
Committed 5 items for US on 2026-11-25
root 4bf7b77542c8d483b117b9794754d7e07e4734dc04e53e2660133be655725b89
```

<!-- transcript: continues -->
<!-- transcript: vary digests leaf-order (random salts) -->
```
$ tripolar escrow verify US/commitment.json reveal.json
       Reveal by US: tree of 5, root
            4bf7b77542c8d483...
┏━━━━━━━┳━━━━━━━━━┳━━━━━━━┳━━━━━━━┓
┃ index ┃ item_id ┃ site  ┃ valid ┃
┡━━━━━━━╇━━━━━━━━━╇━━━━━━━╇━━━━━━━┩
│ 1     │ M2      │ Alpha │ yes   │
│ 4     │ M1      │ Alpha │ yes   │
└───────┴─────────┴───────┴───────┘
head 717f0eae1d6176766f1e93ab8c2415062327ff1d80b37cc4a703f5f222c382f8 length 4
VALID
```

<!-- transcript: vary times durations (the clock) -->
```
$ tripolar runs show 1
      started: 2026-12-01 22:20:23Z
     finished: 2026-12-01 22:20:25Z (1.893 s)
  inputs hash: af07119e56288dec8fb8283c6bda6bdae5b40a06e0b4c3075767a2e7d3390340
```
"""

ROOT_A = "4bf7b77542c8d483b117b9794754d7e07e4734dc04e53e2660133be655725b89"
ROOT_B = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
HEAD_A = "717f0eae1d6176766f1e93ab8c2415062327ff1d80b37cc4a703f5f222c382f8"
HEAD_B = "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"


@pytest.fixture
def page(tmp_path: Path) -> list[list[Block]]:
    path = tmp_path / "page.md"
    path.write_text(ESCROW, encoding="utf-8")
    return chains(blocks(path))


def _printed(chain: list[Block], edit: dict[str, str]) -> list[list[tuple[str, list[str]]]]:
    """The chain's shown outputs with each ``old -> new`` of ``edit`` applied: a fake run."""
    out = []
    for block in chain:
        steps = []
        for cmd, lines in block.steps:
            changed = []
            for ln in lines:
                for old, new in edit.items():
                    ln = ln.replace(old, new)
                changed.append(ln)
            steps.append((cmd, changed))
        out.append(steps)
    return out


def _differs(chain: list[Block], edit: dict[str, str]) -> list[bool]:
    return [bool(d) for d in compare(chain, _printed(chain, edit))]


def test_markers_are_read(page: list[list[Block]]) -> None:
    escrow, runs = page
    assert [len(escrow), len(runs)] == [2, 1]
    assert escrow[1].continues and escrow[1].vary == ("digests", "leaf-order")
    assert runs[0].vary == ("times", "durations") and not runs[0].continues


def test_other_digests_and_leaf_positions_pass(page: list[list[Block]]) -> None:
    escrow, _ = page
    new_order = {
        ROOT_A: ROOT_B,
        ROOT_A[:16]: ROOT_B[:16],
        HEAD_A: HEAD_B,
        "│ 1     │ M2 ": "│ 0     │ M1 ",
        "│ 4     │ M1 ": "│ 3     │ M2 ",
    }
    assert _differs(escrow, new_order) == [False, False]


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("Committed 5 items", "Committed 6 items"),  # a count
        ("on 2026-11-25", "on 2026-11-26"),  # a date without a time is not masked
        ("tree of 5", "tree of 50"),
        ("│ M2      │ Alpha", "│ M2      │ Bravo"),  # a site in the leaf-order table
        ("│ yes   │", "│ NO    │"),  # a verdict
        ("length 4", "length 3"),
        ("VALID", "INVALID"),
    ],
)
def test_a_changed_fixed_value_still_fails(page: list[list[Block]], old: str, new: str) -> None:
    escrow, _ = page
    assert any(_differs(escrow, {old: new}))


def test_digests_must_repeat_where_they_repeated(page: list[list[Block]]) -> None:
    """The root commit prints must be the root verify shows (first 16 digits), in both."""
    escrow, _ = page
    # only the printed root changes: verify now shows another tree's root
    assert _differs(escrow, {"root " + ROOT_A: "root " + ROOT_B}) == [False, True]
    # the head becomes equal to the root: a new coincidence is a difference too
    assert _differs(escrow, {HEAD_A: ROOT_A}) == [False, True]


def test_a_digest_is_not_a_word_or_a_short_number(page: list[list[Block]]) -> None:
    escrow, _ = page
    # 15 hex digits are not masked: were they, as a prefix of the root they would pass
    assert _differs(escrow, {ROOT_A[:16] + "...": ROOT_A[:15] + "..."}) == [False, True]
    # nor is hex inside a longer word
    assert _differs(escrow, {ROOT_A[:16] + "...": "x" + ROOT_A[:16] + "..."}) == [False, True]


def test_times_and_durations_pass_but_not_the_inputs_hash(page: list[list[Block]]) -> None:
    _, runs = page
    assert _differs(runs, {"22:20:23Z": "09:00:00Z", "22:20:25Z": "09:00:05Z"}) == [False]
    assert _differs(runs, {"(1.893 s)": "(12.5 s)"}) == [False]
    # digests are not masked in a block that names only times and durations
    assert _differs(runs, {"af07119e5628": "000000000000"}) == [True]
    # the words around a masked time still count
    assert _differs(runs, {"finished:": "ended:"}) == [True]


def test_masks_apply_only_to_blocks_that_name_them(tmp_path: Path) -> None:
    path = tmp_path / "plain.md"
    path.write_text(f"```\n$ cat x\nroot {ROOT_A}\nat 2026-12-01 22:20:23Z\n```\n")
    (block,) = blocks(path)
    assert diff(block, [("cat x", [f"root {ROOT_B}", "at 2026-12-01 22:20:23Z"])])
    assert diff(block, [("cat x", [f"root {ROOT_A}", "at 2026-12-01 22:20:24Z"])])
    assert not diff(block, [("cat x", [f"root {ROOT_A}", "at 2026-12-01 22:20:23Z"])])


def test_the_diff_shows_the_masked_difference(page: list[list[Block]]) -> None:
    escrow, _ = page
    shown = compare(escrow, _printed(escrow, {"Committed 5": "Committed 6"}))[0]
    assert "-Committed 5 items" in shown and "+Committed 6 items" in shown
    assert "(masked: digests, leaf-order)" in shown


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("<!-- transcript: vary salts (x) -->\n```\n$ true\n```\n", "unknown mask 'salts'"),
        ("<!-- transcript: sometimes -->\n```\n$ true\n```\n", "unknown transcript marker"),
        ("<!-- transcript: continues -->\n```\n$ true\n```\n", "first transcript of a page"),
        (
            "<!-- transcript: skip (no) -->\n```\n$ true\n```\n\n"
            "<!-- transcript: continues -->\n```\n$ true\n```\n",
            "cannot skip",
        ),
    ],
)
def test_bad_markers_are_refused(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.md"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(MarkerError, match=message):
        chains(blocks(path))


def test_a_chain_shares_its_directory(tmp_path: Path) -> None:
    path = tmp_path / "chain.md"
    path.write_text(
        "```\n$ echo kept > f.txt\n```\n\n"
        "<!-- transcript: continues -->\n```\n$ cat f.txt\nkept\n```\n\n"
        "```\n$ cat f.txt\n```\n",
        encoding="utf-8",
    )
    first, second = chains(blocks(path))
    assert [len(first), len(second)] == [2, 1]
    assert run_chain(first)[1] == [("cat f.txt", ["kept"])]
    assert run_chain(second)[0][0][1] != ["kept"]
