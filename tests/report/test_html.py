"""The HTML report: its figures are the API's values, each with a source id or a run."""

from __future__ import annotations

import html
import math
import re

import pytest

from report.page import SAMPLES, SEED, TREATIES, parse, small_context
from tripolar import __version__
from tripolar.assessment import assess
from tripolar.report.html import ASSESS_RUN, Report, collect_report, render_html
from tripolar.report.tables import COUNT_LEGEND, count_text, fmt_range
from tripolar.stability.run import run_stability
from tripolar.treaty import load_treaty


def _value(page_num: dict[str, object]) -> float | None:
    v = page_num["value"]
    return None if v in ("", None) else float(str(v))


def _close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def test_every_number_names_a_source_or_a_run(small_html: str, small_report: Report) -> None:
    page = parse(small_html)
    assert len(page.nums) > 300 and not page.duplicates
    runs = {r["id"] for r in small_report.runs}
    assert runs == {ASSESS_RUN, *(f"S:{t}" for t in TREATIES)}
    bib = set(page.bib_ids)
    for key, n in page.nums.items():
        assert bool(n["src"]) != bool(n["run"]), key
        if n["run"]:
            assert n["run"] in runs, key
        else:
            for sid in re.split(r"[;,]\s*", str(n["src"])):
                assert sid in bib, (key, sid)
    # each run is listed in the page with the version, data hash, samples and seed
    for r in runs:
        assert f"<td><b>{r}</b></td>" in small_html


def test_bibliography_resolves_every_source_with_date_and_url(
    small_html: str, small_report: Report
) -> None:
    page = parse(small_html)
    ds = small_report.context.dataset()
    assert len(page.bib_ids) == len(set(page.bib_ids)) > 20
    for sid in page.bib_ids:
        rec = ds.source(sid)
        assert rec is not None, sid
        assert rec["url"] in small_html and str(rec["date"]) in small_html
    assert "not in the sources table" not in small_html
    # the treaty's own citations are listed too (New START's State Department text)
    cited = {c.source_id for c in load_treaty("new-start").citations if c.source_id}
    assert cited and cited <= set(page.bib_ids)


def test_forces_are_the_dataset_figures_with_their_sources(small_html: str) -> None:
    """Published values: 400 deployed Minuteman III (FAS Nuclear Notebook 2025, S01); US
    military stockpile 3,700 (FAS 2025 / SIPRI Yearbook 2025, S01 and S04)."""
    page = parse(small_html)
    mm3 = page.nums["force/US/us-mmiii/launchers_deployed"]
    assert _value(mm3) == 400 and mm3["src"] == "S01" and mm3["text"] == "400"
    stock = page.nums["stockpile/US/military_stockpile"]
    assert _value(stock) == 3700 and stock["src"] == "S01; S04" and stock["text"] == "3,700"
    assert {k.split("/")[1] for k in page.nums if k.startswith("force/")} == {"US", "RU", "CN"}


def test_counts_and_columns_match_an_independent_assessment(small_html: str) -> None:
    """The page's counts, ceilings, headroom, upload, verification and utilities are those
    of ``assess()`` run again in a fresh context with the same inputs."""
    page = parse(small_html)
    a = assess(small_context(), treaties=[load_treaty(t) for t in TREATIES])
    markers = set()
    checked = 0
    for pa in a.proposals:
        tid = pa.treaty.id
        for party, pe in pa.evaluation.parties.items():
            for lid, r in pe.limits.items():
                k = f"{tid}/{party}/{lid}"
                c = page.nums[f"count/{k}"]
                assert c["text"] == count_text(r) and c["run"] == ASSESS_RUN
                want = r.count.value if r.count else (r.at_least.value if r.at_least else None)
                assert _close(_value(c), want), k
                assert page.nums[f"ceiling/{k}"]["text"] == fmt_range(r.ceiling)
                head = r.headroom
                assert _close(_value(page.nums[f"headroom/{k}"]), head and head.value)
                markers.update(m for m in ("≥", "*", "(R)") if m in c["text"])
                checked += 1
            up = pa.uploads[party]
            cap = page.nums[f"upload/{tid}/{party}/capacity"]
            assert _close(_value(cap), up.capacity.value if up.capacity_computed else None)
        assert pa.verification is not None and pa.negotiation is not None
        for party, pv in pa.verification.parties.items():
            key = f"verification/{tid}/{party}/inspections_needed"
            if pv.assessable:
                assert _close(_value(page.nums[key]), pv.inspections_needed)
            else:
                assert key not in page.nums
        for party, u in pa.negotiation.utilities.items():
            assert _close(_value(page.nums[f"utility/{tid}/{party}"]), u)
        if pa.negotiation.nash_product is not None:
            assert _close(_value(page.nums[f"nash/{tid}"]), pa.negotiation.nash_product)
    assert checked >= 15
    # the three count markers all occur, and the legend that explains them is in the page
    assert markers == {"≥", "*", "(R)"}
    assert COUNT_LEGEND.replace("'", "&#39;") in small_html


def test_stability_bands_match_an_independent_run(small_html: str) -> None:
    """Medians and 5-95 % bands of every pair and coalition in both postures are those of
    ``run_stability`` with the same samples and seed (reproducible from the seed)."""
    page = parse(small_html)
    rep = run_stability(load_treaty("tri-equal-1000"), context=small_context())
    assert len(rep.cases) == 18
    for c in rep.cases:
        k = f"stability/tri-equal-1000/{c.posture}/{c.label}"
        for q in ("median", "p05", "p95"):
            got = page.nums[f"{k}/survivors/{q}"]
            assert _close(_value(got), getattr(c.surviving_warheads, q))
            assert got["run"] == "S:tri-equal-1000"
            for name, band in c.stability_index.items():
                assert _close(_value(page.nums[f"{k}/{name}/{q}"]), getattr(band, q))
    text = html.unescape(small_html)
    assert rep.assumptions
    for line in rep.assumptions:
        assert line in text, line
    assert _close(
        _value(page.nums["stability/tri-equal-1000/least_stable/r"]), rep.least_stable["r"]
    )


def test_page_names_version_data_hash_and_seed(small_html: str, small_report: Report) -> None:
    h = small_report.context.dataset().content_hash
    assert f"<b>{__version__}</b>" in small_html
    assert h in small_html
    assert f"{SAMPLES} samples, seed {SEED}" in small_html
    assert f"--samples {SAMPLES} --seed {SEED}" in small_html


def test_page_is_self_contained(small_html: str) -> None:
    page = parse(small_html)
    tags = [t for t, _ in page.tags]
    assert "script" not in tags and "link" not in tags and "img" not in tags
    assert "iframe" not in tags and "object" not in tags
    for tag, attrs in page.tags:
        assert "src" not in attrs, tag
        # the only links out are the bibliography's URLs and anchors in the page
        if tag == "a":
            href = str(attrs.get("href"))
            assert href.startswith(("#", "http://", "https://")), href
        # matplotlib's SVG links glyphs and clip paths within itself only
        for name in ("href", "xlink:href"):
            v = attrs.get(name)
            if v is not None and tag != "a":
                assert v.startswith("#"), (tag, v)
    assert "url(http" not in small_html and "@import" not in small_html
    # one stability figure per treaty and the acceptability figure, inline
    assert tags.count("svg") == len(TREATIES) + 1
    assert "<?xml" not in small_html and "<!DOCTYPE svg" not in small_html


def test_same_inputs_give_the_same_page(small_html: str) -> None:
    again = render_html(collect_report(small_context(), [load_treaty(t) for t in TREATIES]))
    assert again == small_html


@pytest.mark.parametrize("seed", [SEED + 1])
def test_another_seed_moves_the_bands_not_the_counts(small_html: str, seed: int) -> None:
    other = parse(
        render_html(
            collect_report(small_context().with_(seed=seed), [load_treaty("tri-equal-1000")])
        )
    )
    page = parse(small_html)
    moved = [
        k
        for k in other.nums
        if k.startswith("stability/") and other.nums[k]["value"] != page.nums[k]["value"]
    ]
    assert moved
    for k in other.nums:
        if k.startswith(("count/", "ceiling/", "headroom/", "force/")):
            assert other.nums[k]["value"] == page.nums[k]["value"], k
