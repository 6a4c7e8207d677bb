"""Verdicts: each parsed claim against the dataset's figure for its state, metric and date.

``supported``: the claimed counts overlap the data band (value, or low..high) of the
claimed year. ``outdated``: they do not, but they overlap an earlier year's band.
``contradicted``: neither. ``not checkable``: no state, no metric, a projection, a year
the data does not cover, or a figure the dataset does not hold (the reason is given).
The rules are stated in ``docs/claims.md``.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tripolar.claims import lexicon as lx
from tripolar.claims.amounts import Interval
from tripolar.claims.figures import HIGH_ALERT_REASON, Figure, Figures
from tripolar.claims.parse import ParsedClaim, parse_text
from tripolar.errors import InputError

#: Largest text the checker reads: 1 MiB (a long report is a few hundred kilobytes).
MAX_TEXT_BYTES = 1024 * 1024

#: "outdated" looks back this many years before the claimed date; a figure that was true
#: longer ago than that makes the claim wrong, not merely out of date.
OUTDATED_YEARS = 10

SUPPORTED = "supported"
OUTDATED = "outdated"
CONTRADICTED = "contradicted"
NOT_CHECKABLE = "not checkable"
VERDICTS = (SUPPORTED, OUTDATED, CONTRADICTED, NOT_CHECKABLE)


@dataclass
class ClaimResult:
    """A claim, the data it was checked against and the verdict."""

    claim: ParsedClaim
    verdict: str
    reason: str
    year: int | None = None  # the year whose figure was compared
    figure: Figure | None = None
    other: Figure | None = None  # comparisons: the other state's figure
    matched_year: int | None = None  # outdated: the earlier year that matches
    notes: list[str] = field(default_factory=list)

    def claimed_text(self) -> str:
        c = self.claim
        if c.kind == "quantity" and c.amount is not None:
            return c.amount.describe()
        if c.kind == "comparison":
            return f"×{' or '.join(_ratio_text(iv) for iv in c.ratio)} {c.other_state}"
        quant, _, pred = (c.predicate or ":").partition(":")
        words = {
            "deployed": "deployed",
            "not_deployed": "not deployed",
            "stored": "stored",
            "not_stored": "not stored",
            "alert": "on alert",
            "not_alert": "not on alert",
        }
        return f"{quant} {words.get(pred, pred)}"

    def to_dict(self) -> dict[str, Any]:
        c = self.claim
        return {
            "kind": c.kind,
            "sentence": c.sentence,
            "span": [c.start, c.end],
            "text": c.text,
            "state": c.state,
            "metric": c.metric,
            "claimed": self.claimed_text(),
            "intervals": [
                {"low": iv.lo, "high": iv.hi, "low_open": iv.lo_open, "high_open": iv.hi_open}
                for iv in (c.amount.intervals if c.amount else c.ratio)
            ],
            "claimed_year": c.year,
            "other_state": c.other_state,
            "predicate": c.predicate,
            "year": self.year,
            "figure": self.figure.to_dict() if self.figure else None,
            "other_figure": self.other.to_dict() if self.other else None,
            "verdict": self.verdict,
            "reason": self.reason,
            "matched_year": self.matched_year,
            "notes": [*c.notes, *self.notes],
        }


def _ratio_text(iv: Interval) -> str:
    def f(x: float) -> str:
        return f"{x:.2f}"

    if iv.hi == float("inf"):
        return f"{'>' if iv.lo_open else '≥'} {f(iv.lo)}"
    if iv.lo == 0:
        return f"{'<' if iv.hi_open else '≤'} {f(iv.hi)}"
    return f"{f(iv.lo)}–{f(iv.hi)}"


@dataclass
class ClaimReport:
    """All claims of one text, checked; ``.to_dict()`` is the ``--json`` output."""

    results: list[ClaimResult]
    as_of: str | None
    dataset_hash: str

    def summary(self) -> dict[str, int]:
        counts = Counter(r.verdict for r in self.results)
        return {v: counts.get(v, 0) for v in VERDICTS}

    def to_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of,
            "dataset": self.dataset_hash,
            "claims": [r.to_dict() for r in self.results],
            "summary": self.summary(),
        }

    def to_frame(self) -> Any:
        import pandas as pd

        return pd.DataFrame(
            [
                {
                    "text": r.claim.text,
                    "state": r.claim.state,
                    "metric": r.claim.metric,
                    "claimed": r.claimed_text(),
                    "year": r.year,
                    "value": r.figure.value if r.figure else None,
                    "low": r.figure.low if r.figure else None,
                    "high": r.figure.high if r.figure else None,
                    "sources": ";".join(r.figure.source_ids) if r.figure else "",
                    "verdict": r.verdict,
                    "reason": r.reason,
                }
                for r in self.results
            ]
        )


# -- input ---------------------------------------------------------------------------------


def read_text(path: str | Path, *, max_bytes: int = MAX_TEXT_BYTES) -> str:
    """Read a claims text (``-`` for standard input); refuse empty, binary or oversized text."""
    name = "<stdin>" if str(path) == "-" else str(path)
    if str(path) == "-":
        data = sys.stdin.buffer.read(max_bytes + 1)
    else:
        p = Path(path)
        if not p.exists():
            raise InputError("file not found", file=p, expected="an existing text file or -")
        if not p.is_file():
            raise InputError("not a regular file", file=p, expected="a text file or -")
        with p.open("rb") as fh:
            data = fh.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise InputError(
            f"text is larger than the limit of {max_bytes} bytes",
            file=name,
            expected="at most 1 MiB of text",
        )
    if b"\x00" in data:
        raise InputError("binary data (NUL bytes)", file=name, expected="UTF-8 text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"not valid UTF-8 ({exc.reason})", file=name, expected="UTF-8 text"
        ) from exc
    if not text.strip():
        raise InputError("empty text", file=name, expected="English prose to check")
    return text


def parse_as_of(value: str | None) -> int | None:
    """The year of an article date (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``)."""
    if value is None:
        return None
    v = value.strip()
    ok = re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", v)
    if ok:
        try:
            if len(v) == 10:
                dt.date.fromisoformat(v)
            elif len(v) == 7:
                dt.date.fromisoformat(v + "-01")
        except ValueError:
            ok = None
    if not ok or not 1945 <= int(v[:4]) <= 2100:
        raise InputError(
            f"not a date: {value!r}", field="--as-of", expected="YYYY, YYYY-MM or YYYY-MM-DD"
        )
    return int(v[:4])


# -- verdicts ------------------------------------------------------------------------------


def _resolve_year(
    c: ParsedClaim, years: list[int], as_of: int | None, horizon: int
) -> tuple[int | None, str | None, list[str]]:
    """(year to compare, reason if none, notes).

    ``horizon`` is the latest year of any estimate in the dataset: a claimed year after it
    (and after the article's date) is in the future of the data, so a projection.
    """
    notes: list[str] = []
    if not years:
        return None, None, notes
    latest = years[-1]
    want = c.year if c.year is not None else as_of
    if c.projection or (c.year is not None and c.year > max(latest, as_of or latest, horizon)):
        return (
            None,
            "a projection or a future date; the dataset holds estimates, not forecasts",
            notes,
        )
    if want is None:
        notes.append(f"no date in the text: compared with the latest estimate ({latest})")
        return latest, None, notes
    if want in years:
        return want, None, notes
    if want > latest:
        notes.append(f"the dataset's latest estimate is {latest}; compared with it")
        return latest, None, notes
    earlier = [y for y in years if y < want]
    near = ", ".join(
        str(y) for y in ([earlier[-1]] if earlier else []) + [y for y in years if y > want][:1]
    )
    return None, f"the dataset has no estimate for {want} (nearest: {near})", notes


def _judge(
    c: ParsedClaim,
    years: list[int],
    as_of: int | None,
    test: Callable[[int], tuple[bool | None, str, Figure | None, Figure | None]],
    latest: int,
    horizon: int,
) -> ClaimResult:
    year, why, notes = _resolve_year(c, years, as_of, horizon)
    if year is None:
        if why is None:  # no year at all: the figure look-up says why
            _ok, why, _f, _o = test(c.year or as_of or latest)
        return ClaimResult(c, NOT_CHECKABLE, why, notes=notes)
    ok, reason, fig, other = test(year)
    if ok is None:
        return ClaimResult(c, NOT_CHECKABLE, reason, year, fig, other, notes=notes)
    if ok:
        return ClaimResult(c, SUPPORTED, reason, year, fig, other, notes=notes)
    for y in reversed([y for y in years if year - OUTDATED_YEARS <= y < year]):
        ok_y, _r, _f, _o = test(y)
        if ok_y:
            r = f"matches the {y} estimate, not {year}'s: {reason}"
            return ClaimResult(c, OUTDATED, r, year, fig, other, matched_year=y, notes=notes)
    return ClaimResult(c, CONTRADICTED, reason, year, fig, other, notes=notes)


def _band_text(f: Figure) -> str:
    def n(x: float) -> str:
        return f"{int(x):,}" if float(x).is_integer() else f"{x:,.3g}"

    return n(f.value) if f.low == f.high else f"{n(f.value)} ({n(f.low)}–{n(f.high)})"


def _check_quantity(c: ParsedClaim, figs: Figures, as_of: int | None) -> ClaimResult:
    assert c.amount is not None and c.state is not None and c.metric is not None
    state, metric, amount = c.state, c.metric, c.amount

    def test(year: int) -> tuple[bool | None, str, Figure | None, Figure | None]:
        f = figs.figure(state, metric, year)
        if isinstance(f, str):
            return None, f, None, None
        ok = any(iv.overlaps(f.low, f.high) for iv in amount.intervals)
        rel = "within" if ok else "outside"
        return ok, f"data {_band_text(f)} is {rel} the claimed {amount.describe()}", f, None

    if metric == "high_alert":
        return ClaimResult(c, NOT_CHECKABLE, _alert_reason())
    res = _judge(c, figs.years(state, metric), as_of, test, figs.latest_year(), figs.horizon())
    if res.verdict == CONTRADICTED and metric in lx.WARHEAD_METRICS and res.year is not None:
        for alt in (
            "total_inventory",
            "military_stockpile",
            "deployed_strategic",
            "deployed_warheads",
        ):
            if alt == metric:
                continue
            f = figs.figure(state, alt, res.year)
            if isinstance(f, Figure) and any(iv.overlaps(f.low, f.high) for iv in amount.intervals):
                res.notes.append(
                    f"the amount matches the {lx.METRIC_LABELS[alt]} ({_band_text(f)})"
                )
                break
    return res


def _alert_reason() -> str:
    return HIGH_ALERT_REASON


def _check_comparison(c: ParsedClaim, figs: Figures, as_of: int | None) -> ClaimResult:
    assert c.state is not None and c.metric is not None and c.other_state is not None
    a_state, b_state, metric, ratios = c.state, c.other_state, c.metric, c.ratio

    def test(year: int) -> tuple[bool | None, str, Figure | None, Figure | None]:
        fa = figs.figure(a_state, metric, year)
        fb = figs.figure(b_state, metric, year)
        if isinstance(fa, str):
            return None, fa, None, None
        if isinstance(fb, str):
            return None, fb, fa, None
        lo = fa.low / fb.high if fb.high > 0 else float("inf")
        hi = fa.high / fb.low if fb.low > 0 else float("inf")
        mid = fa.value / fb.value if fb.value > 0 else float("inf")
        ok = any(iv.overlaps(lo, hi) for iv in ratios)
        band = f"{mid:.2f}" if lo == hi else f"{mid:.2f} ({lo:.2f}–{hi:.2f})"
        rel = "within" if ok else "outside"
        return (
            ok,
            f"{_band_text(fa)} vs {_band_text(fb)}: ratio {band} is {rel} the claimed "
            + " or ".join(_ratio_text(iv) for iv in ratios),
            fa,
            fb,
        )

    ya = figs.years(a_state, metric)
    yb = set(figs.years(b_state, metric))
    return _judge(c, [y for y in ya if y in yb], as_of, test, figs.latest_year(), figs.horizon())


def _check_qualitative(c: ParsedClaim, figs: Figures, as_of: int | None) -> ClaimResult:
    assert c.state is not None and c.metric is not None and c.predicate is not None
    state, ref_metric = c.state, c.metric
    quant, pred = c.predicate.split(":")
    if ref_metric not in ("total_inventory", "military_stockpile"):
        what = "alert" if "alert" in pred else "deployment"
        return ClaimResult(
            c,
            NOT_CHECKABLE,
            f"the {what} share of {lx.METRIC_LABELS.get(ref_metric, ref_metric)} "
            "is not in the dataset" + ("; " + _alert_reason() if "alert" in pred else ""),
        )

    def test(year: int) -> tuple[bool | None, str, Figure | None, Figure | None]:
        ref = figs.figure(state, ref_metric, year)
        dep = figs.figure(state, "deployed_warheads", year)
        if isinstance(ref, str):
            return None, ref, None, None
        if isinstance(dep, str):
            return None, dep, ref, None
        s_lo = dep.low / ref.high if ref.high else 0.0
        s_hi = dep.high / ref.low if ref.low else 1.0
        share = (
            f"deployed {_band_text(dep)} of {_band_text(ref)} ({100 * dep.value / ref.value:.0f}%)"
        )
        need = {"most": 0.5, "nearly all": 0.9, "all": 1.0, "none": 0.0}[quant]
        if pred in ("deployed", "not_stored"):
            lo, hi = s_lo, s_hi
        elif pred in ("stored", "not_deployed"):
            lo, hi = 1 - s_hi, 1 - s_lo
        else:  # alert: warheads on alert are a subset of those deployed
            alert_hi = s_hi
            not_alert_lo = 1 - s_hi
            if pred == "not_alert":
                if quant == "none":
                    return None, share + "; " + _alert_reason(), ref, dep
                if not_alert_lo >= need:
                    return True, share + ": at most that share can be on alert", ref, dep
                return None, share + "; " + _alert_reason(), ref, dep
            if quant == "none":
                return (True if alert_hi == 0 else None), share, ref, dep
            if alert_hi < need:
                return False, share + ": fewer are deployed than the claim puts on alert", ref, dep
            return None, share + "; " + _alert_reason(), ref, dep
        if quant == "none":
            ok = lo <= 0.0
        elif quant == "all":
            ok = hi >= 1.0
        elif quant == "most":
            ok = hi > need
        else:
            ok = hi >= need
        return ok, share, ref, dep

    return _judge(c, figs.years(state, ref_metric), as_of, test, figs.latest_year(), figs.horizon())


def check_claim(c: ParsedClaim, figs: Figures, as_of: int | None) -> ClaimResult:
    """Verdict on one parsed claim."""
    if c.state is None:
        return ClaimResult(c, NOT_CHECKABLE, "no state named")
    if c.metric is None:
        return ClaimResult(c, NOT_CHECKABLE, "what is counted is not clear")
    if c.kind == "comparison":
        if c.other_state == c.state:
            return ClaimResult(c, NOT_CHECKABLE, "a state compared with itself")
        return _check_comparison(c, figs, as_of)
    if c.kind == "qualitative":
        return _check_qualitative(c, figs, as_of)
    return _check_quantity(c, figs, as_of)


def check_text(
    text: str, *, as_of: str | None = None, data_dir: str | Path | None = None
) -> ClaimReport:
    """Find the quantitative claims about nuclear arsenals in ``text`` and check each.

    ``as_of`` is the article's date (``YYYY[-MM[-DD]]``): undated claims ("today") are
    read as of that year. Without it they are compared with the latest estimate.
    """
    from tripolar.data import load_dataset

    year = parse_as_of(as_of)
    ds = load_dataset(data_dir)
    figs = Figures(ds)
    results = [check_claim(c, figs, year) for c in parse_text(text)]
    return ClaimReport(results=results, as_of=as_of, dataset_hash=ds.content_hash)
