"""The claim corpus (tests/claims/corpus.yaml): every claim found, with its expected verdict.

The sentences were written for this project in the style of news reports; the expected
verdicts follow from the bundled dataset's rows, named in the corpus's comments.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from tripolar.claims import VERDICTS, check_text
from tripolar.forces import STATES

CORPUS = yaml.safe_load((Path(__file__).parent / "corpus.yaml").read_text(encoding="utf-8"))[
    "cases"
]
METRICS = {
    "total_inventory",
    "military_stockpile",
    "deployed_strategic",
    "high_alert",
    "deployed_launchers",
    "icbms",
    "ssbns",
    "silos",
}


@pytest.mark.parametrize("case", CORPUS, ids=[c["id"] for c in CORPUS])
def test_corpus_case(case: dict[str, Any]) -> None:
    report = check_text(case["text"], as_of=case.get("as_of"))
    got = [[r.claim.state, r.claim.metric, r.verdict] for r in report.results]
    assert got == [list(e) for e in case["expect"]], [r.reason for r in report.results]


def test_corpus_coverage() -> None:
    """At least 60 claims, every state and metric of the issue, and every verdict."""
    expected = [e for c in CORPUS for e in c["expect"]]
    assert len(expected) >= 60
    states = {s for s, _m, _v in expected if s}
    assert set(STATES) <= states
    assert {m for _s, m, _v in expected} >= METRICS
    assert set(VERDICTS) == {v for _s, _m, v in expected}
    assert (
        sum(1 for c in CORPUS if not c["expect"]) >= 2
    )  # texts whose numbers count something else


def test_spans_point_at_the_claim_text() -> None:
    for case in CORPUS:
        text = case["text"]
        for r in check_text(text, as_of=case.get("as_of")).results:
            c = r.claim
            assert text[c.start : c.end] == c.text
            assert c.sentence in " ".join(text.split())
