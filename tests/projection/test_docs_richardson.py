"""docs/negotiation.md shows the real output of ``tripolar project --model richardson``."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tripolar.cli.common import console

DOC = Path(__file__).resolve().parents[2] / "docs" / "negotiation.md"


def test_doc_block_is_the_real_output(cli, monkeypatch: pytest.MonkeyPatch) -> None:
    """The block between the richardson-output markers equals, line for line, what the
    command prints at 120 columns (regenerate it with COLUMNS=120 when this fails)."""
    text = DOC.read_text(encoding="utf-8")
    m = re.search(
        r"<!-- richardson-output:begin -->\n```text\n(.*?)\n```\n<!-- richardson-output:end -->",
        text,
        flags=re.S,
    )
    assert m is not None, "output markers missing from docs/negotiation.md"
    monkeypatch.setattr(console, "width", 120)
    code, out, err = cli("project", "--model", "richardson")
    assert code == 0, err
    shown = [line.rstrip() for line in m.group(1).splitlines()]
    real = [line.rstrip() for line in out.rstrip("\n").splitlines()]
    assert shown == real


def test_doc_prose_figures_match_the_output(cli) -> None:
    """The figures quoted in the prose come from the same run."""
    import json

    text = " ".join(DOC.read_text(encoding="utf-8").split())
    data = json.loads(cli("project", "--model", "richardson", "--json")[1])
    bad = data["uninformative_from"]
    assert f"that is {bad['US']} for the US and Russia and {bad['CN']} for China" in text
    assert bad["US"] == bad["RU"]
    rows = {(r["party"], r["year"]): r for r in data["projection"]["rows"]}
    cn_2040 = rows[("CN", 2040)]["central"]
    assert f"China reaches about {round(cn_2040, -3) / 1000:,.0f},000 by 2040" in text
    ru_neg = min(y for (p, y), r in rows.items() if p == "RU" and r["central"] < 0)
    assert f"Russia goes negative from {ru_neg}" in text
