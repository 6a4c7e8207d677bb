"""Every block of real output in README.md and docs/ is what its command prints now.

Regenerate after a change with ``python tests/transcripts.py --update`` and read the diff.
"""

from __future__ import annotations

import pytest

from transcripts import ROOT, blocks, diff, doc_files, run_block

ALL = [b for p in doc_files() for b in blocks(p)]
BLOCKS = [b for b in ALL if not b.skip]
#: Blocks that need input files the docs do not create yet (escrow declarations, stores,
#: posture files); each is marked in its page and named here so the list can only shrink.
SKIPPED_AT_MOST = 16


def test_there_are_transcripts() -> None:
    assert len(BLOCKS) >= 10
    assert len(ALL) - len(BLOCKS) <= SKIPPED_AT_MOST
    for b in BLOCKS:
        for cmd, out in b.steps:
            assert "..." not in out, f"{b.path.relative_to(ROOT)}:{b.start + 1}: elided output"
            assert cmd.strip(), b.path


@pytest.mark.parametrize(
    "block", BLOCKS, ids=[f"{b.path.relative_to(ROOT)}:{b.start + 1}" for b in BLOCKS]
)
def test_transcript(block) -> None:  # type: ignore[no-untyped-def]
    d = diff(block, run_block(block))
    assert not d, "\n" + d + "\n(regenerate: python tests/transcripts.py --update)"
