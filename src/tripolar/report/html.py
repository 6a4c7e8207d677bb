"""A self-contained HTML report of one or more treaties (Jinja2, inline SVG plots).

:func:`collect_report` computes what the report shows, all through the public API: the
assessment (:func:`tripolar.assessment.assess`: counts, compliance, upload potential and
the stability, verification and negotiation columns) and, per treaty, the stability Monte
Carlo of :func:`tripolar.stability.run.run_stability` for the bands of every pair and
coalition and the assumptions behind them. :func:`render_html` turns that into one HTML
page with no external assets and no scripts: styles inline, plots as inline SVG.

Every number in the page is a ``<span class="num">`` with ``data-key`` (what it is),
``data-value`` (the unrounded value) and either ``data-src`` (source ids of the dataset,
listed in the bibliography) or ``data-run`` (the computation that produced it, listed in
the "Runs" section with the tripolar version, data hash, samples and seed).
"""

from __future__ import annotations

import math
import re
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tripolar.report.tables import COUNT_LEGEND, count_text, fmt_range

if TYPE_CHECKING:
    from tripolar.assessment import Assessment, ProposalAssessment
    from tripolar.context import EvaluationContext
    from tripolar.stability.run import StabilityReport
    from tripolar.treaty.schema import Treaty

__all__ = ["ASSESS_RUN", "Report", "collect_report", "render_html", "source_ids_in"]

#: The run id of the assessment in every report (counts, uploads, the area columns).
ASSESS_RUN = "A"
_SOURCE_RE = re.compile(r"\bS\d{2,3}[a-z]?\b")
_POSTURE_LABEL = {"day_to_day": "day-to-day", "generated": "generated"}


def stability_run_id(treaty_id: str) -> str:
    """The run id of a treaty's stability Monte Carlo in the report."""
    return f"S:{treaty_id}"


def source_ids_in(texts: Iterable[str]) -> list[str]:
    """Source ids (``S01``, ``S13b``) named in ``texts`` (assumption lines, notes), sorted."""
    found: set[str] = set()
    for t in texts:
        found.update(_SOURCE_RE.findall(t))
    return sorted(found)


@dataclass
class Report:
    """What a report shows: the assessment, the stability runs, version and data hash."""

    context: EvaluationContext
    assessment: Assessment
    stability: dict[str, StabilityReport]
    version: str
    runs: list[dict[str, Any]] = field(default_factory=list)

    @property
    def treaties(self) -> list[Treaty]:
        return [p.treaty for p in self.assessment.proposals]

    @property
    def dataset_hash(self) -> str:
        return self.assessment.dataset_hash


def collect_report(context: EvaluationContext, treaties: Sequence[Treaty]) -> Report:
    """Assess ``treaties`` in ``context`` and run each one's stability Monte Carlo."""
    from tripolar import __version__
    from tripolar.assessment import assess
    from tripolar.stability.run import run_stability

    a = assess(context, treaties=list(treaties))
    stab = {t.id: run_stability(t, context=context) for t in treaties}
    base = {
        "version": __version__,
        "dataset_hash": a.dataset_hash,
        "year": context.year,
        "samples": context.samples,
        "seed": context.seed,
        "rule": context.rule,
    }
    ids = ", ".join(t.id for t in treaties)
    runs = [
        {
            "id": ASSESS_RUN,
            "what": f"tripolar.assessment.assess(EvaluationContext(...), treaties=[{ids}])",
            **base,
        }
    ]
    runs += [
        {
            "id": stability_run_id(t.id),
            "what": f"tripolar.stability.run.run_stability({t.id!r}, context=...)",
            **base,
        }
        for t in treaties
    ]
    return Report(context, a, stab, __version__, runs)


# -- numbers -------------------------------------------------------------------------------


def _num(text: str, value: float | None, key: str, *, src: str = "", run: str = "") -> Any:
    """A number span: the visible text and, as attributes, what it is and where it is from."""
    from markupsafe import Markup, escape

    val = "" if value is None or (isinstance(value, float) and math.isnan(value)) else value
    where = f' data-src="{escape(src)}"' if src else f' data-run="{escape(run)}"'
    return Markup(
        f'<span class="num" data-key="{escape(key)}" data-value="{escape(str(val))}"{where}>'
        f"{escape(text)}</span>"
    )


def _fmt(x: float | None, spec: str = "{:,.0f}") -> str:
    return "—" if x is None or (isinstance(x, float) and math.isnan(x)) else spec.format(x)


def _band_text(value: Any, low: Any, high: Any) -> str:
    v, lo, hi = (None if _missing(x) else float(x) for x in (value, low, high))
    if v is None:
        return "—"
    if lo is None or hi is None or (lo == v and hi == v):
        return f"{v:,.0f}"
    return f"{v:,.0f} ({lo:,.0f}–{hi:,.0f})"


def _missing(x: Any) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x)) or x == ""


def _ids_text(ids: Any) -> str:
    """Source ids of a dataset row (a list once validated) as ``S01; S04``."""
    if isinstance(ids, str):
        return "; ".join(_split(ids))
    if isinstance(ids, Iterable):
        return "; ".join(str(i) for i in ids)
    return ""


# -- sections ------------------------------------------------------------------------------


def _force_rows(report: Report, party: str) -> list[dict[str, Any]]:
    """The dataset's system figures a party's posture is built from (latest annual
    estimate at or before the year, per system and quantity, as build_posture takes them)."""
    ds = report.context.dataset()
    year = report.context.year
    systems = ds.systems[ds.systems["state"] == party]
    figs = ds.system_figures
    rows = []
    for sysrec in systems.to_dict("records"):
        sid = str(sysrec["system_id"])
        mine = figs[(figs["system_id"] == sid)]
        mine = mine[mine["as_of"].astype(str).str.fullmatch(r"\d{4}")]
        mine = mine[mine["as_of"].astype(int) <= year]
        latest: dict[str, dict[str, Any]] = {}
        recs: list[dict[str, Any]] = [
            {str(k): v for k, v in r.items()} for r in mine.to_dict("records")
        ]
        for rec in sorted(recs, key=lambda r: str(r["as_of"])):
            if not _missing(rec["value"]):
                latest[str(rec["quantity"])] = rec
        for qty, rec in sorted(latest.items()):
            src = _ids_text(rec["source_ids"])
            rows.append(
                {
                    "system": f"{sysrec['name']} ({sid})",
                    "quantity": qty,
                    "as_of": str(rec["as_of"]),
                    "num": _num(
                        _band_text(rec["value"], rec["low"], rec["high"]),
                        float(rec["value"]),
                        f"force/{party}/{sid}/{qty}",
                        src=src,
                    ),
                    "grade": str(rec["grade"]),
                    "src": src,
                }
            )
    return rows


def _stockpile_rows(report: Report, party: str) -> list[dict[str, Any]]:
    ds = report.context.dataset()
    df = ds.stockpiles
    df = df[(df["state"] == party) & (df["year"] == report.context.year)]
    rows = []
    for rec in df.to_dict("records"):
        if _missing(rec["value"]):
            continue
        src = _ids_text(rec["source_ids"])
        rows.append(
            {
                "metric": str(rec["metric"]).replace("_", " "),
                "num": _num(
                    _band_text(rec["value"], rec["low"], rec["high"]),
                    float(rec["value"]),
                    f"stockpile/{party}/{rec['metric']}",
                    src=src,
                ),
                "grade": str(rec["grade"]),
                "src": src,
            }
        )
    return rows


def _count_rows(pa: ProposalAssessment) -> list[dict[str, Any]]:
    tid = pa.treaty.id
    rows = []
    for party, pe in pa.evaluation.parties.items():
        up = pa.uploads.get(party)
        exc = up.excess() if up else {}
        for lid, r in pe.limits.items():
            k = f"{tid}/{party}/{lid}"
            count_val = (
                r.count.value
                if r.count is not None
                else (None if r.at_least is None else r.at_least.value)
            )
            head = r.headroom
            after = exc.get(lid, {}).get("count_after_upload")
            rows.append(
                {
                    "party": party,
                    "limit": lid,
                    "quantity": r.quantity.replace("_", " "),
                    "count": _num(count_text(r), count_val, f"count/{k}", run=ASSESS_RUN),
                    "ceiling": _num(
                        fmt_range(r.ceiling),
                        None if r.ceiling is None else r.ceiling.value,
                        f"ceiling/{k}",
                        run=ASSESS_RUN,
                    ),
                    "headroom": _num(
                        fmt_range(head, signed=True),
                        None if head is None else head.value,
                        f"headroom/{k}",
                        run=ASSESS_RUN,
                    ),
                    "status": r.status + ("" if r.certain or r.status == "unknown" else "?"),
                    "verdict": r.verdict,
                    "after": _num(_fmt(after), after, f"after_upload/{k}", run=ASSESS_RUN),
                }
            )
    return rows


def _upload_rows(pa: ProposalAssessment) -> list[dict[str, Any]]:
    tid = pa.treaty.id
    rows = []
    for party, up in pa.uploads.items():
        if not up.capacity_computed:
            cap_text = "not computed (no system's figures are public)"
        elif up.unknown_systems:
            cap_text = f"≥ {fmt_range(up.capacity)} (not computed for {len(up.unknown_systems)})"
        else:
            cap_text = fmt_range(up.capacity)
        rows.append(
            {
                "party": party,
                "capacity": _num(
                    cap_text,
                    up.capacity.value if up.capacity_computed else None,
                    f"upload/{tid}/{party}/capacity",
                    run=ASSESS_RUN,
                ),
                "reserve": _num(
                    fmt_range(up.reserve_warheads),
                    None if up.reserve_warheads is None else up.reserve_warheads.value,
                    f"upload/{tid}/{party}/reserve",
                    run=ASSESS_RUN,
                ),
                "systems": ", ".join(
                    f"{s.system_id} +{fmt_range(s.added_warheads)}"
                    for s in up.systems
                    if s.added_warheads is not None and s.added_warheads.value > 0
                )
                or "none",
            }
        )
    return rows


def _stability_rows(treaty_id: str, rep: StabilityReport) -> list[dict[str, Any]]:
    run = stability_run_id(treaty_id)
    rows = []
    for c in rep.cases:
        k = f"stability/{treaty_id}/{c.posture}/{c.label}"
        sw = c.surviving_warheads
        fsi = c.stability_index["fsi"]
        rs = [(n, b) for n, b in c.stability_index.items() if n.startswith("r_")]
        rows.append(
            {
                "case": c.label.replace("->", "→"),
                "posture": _POSTURE_LABEL.get(c.posture, c.posture),
                "survivors": [
                    _num(_fmt(sw.median), sw.median, f"{k}/survivors/median", run=run),
                    _num(_fmt(sw.p05), sw.p05, f"{k}/survivors/p05", run=run),
                    _num(_fmt(sw.p95), sw.p95, f"{k}/survivors/p95", run=run),
                ],
                "rs": [
                    (
                        n,
                        _num(f"{b.median:.2f}", b.median, f"{k}/{n}/median", run=run),
                        _num(f"{b.p05:.2f}", b.p05, f"{k}/{n}/p05", run=run),
                        _num(f"{b.p95:.2f}", b.p95, f"{k}/{n}/p95", run=run),
                    )
                    for n, b in rs
                ],
                "fsi": [
                    _num(f"{fsi.median:.2f}", fsi.median, f"{k}/fsi/median", run=run),
                    _num(f"{fsi.p05:.2f}", fsi.p05, f"{k}/fsi/p05", run=run),
                    _num(f"{fsi.p95:.2f}", fsi.p95, f"{k}/fsi/p95", run=run),
                ],
                "driver": c.driver,
            }
        )
    return rows


def _verification_rows(pa: ProposalAssessment) -> list[dict[str, Any]]:
    col = pa.verification
    if col is None:
        return []
    tid = pa.treaty.id
    rows = []
    for party, pv in col.parties.items():
        k = f"verification/{tid}/{party}"
        if not pv.assessable:
            reason = "no deployed-warhead ceiling" if pv.ceiling_limit is None else str(pv.reason)
            rows.append({"party": party, "assessable": False, "reason": reason})
            continue
        rows.append(
            {
                "party": party,
                "assessable": True,
                "ceiling": _num(
                    _fmt(pv.ceiling_warheads),
                    pv.ceiling_warheads,
                    f"{k}/ceiling_warheads",
                    run=ASSESS_RUN,
                ),
                "excess": _num(
                    _fmt(pv.excess_warheads), pv.excess_warheads, f"{k}/excess", run=ASSESS_RUN
                ),
                "missiles": _num(
                    _fmt(pv.violating_missiles),
                    pv.violating_missiles,
                    f"{k}/violating_missiles",
                    run=ASSESS_RUN,
                ),
                "declared": _num(
                    _fmt(pv.declared_missiles),
                    pv.declared_missiles,
                    f"{k}/declared_missiles",
                    run=ASSESS_RUN,
                ),
                "needed": _num(
                    "unreachable" if pv.inspections_needed is None else str(pv.inspections_needed),
                    pv.inspections_needed,
                    f"{k}/inspections_needed",
                    run=ASSESS_RUN,
                ),
                "quota": _num(
                    str(pv.quota_type_one_per_year),
                    pv.quota_type_one_per_year,
                    f"{k}/quota",
                    run=ASSESS_RUN,
                ),
                "reaches": "reaches" if pv.quota_reaches else "short",
                "systems": ", ".join(pv.upload_systems),
            }
        )
    return rows


def _negotiation_rows(pa: ProposalAssessment) -> list[dict[str, Any]]:
    col = pa.negotiation
    if col is None:
        return []
    tid = pa.treaty.id
    return [
        {
            "party": party,
            "utility": _num(f"{u:+.3f}", u, f"utility/{tid}/{party}", run=ASSESS_RUN),
            "verdict": "better off" if u > 0 else ("worse off" if u < 0 else "indifferent"),
        }
        for party, u in col.utilities.items()
    ]


# -- plots ---------------------------------------------------------------------------------


def _clean_svg(text: str) -> str:
    """The ``<svg>`` element alone: no XML prolog, DOCTYPE or date metadata, so the page
    stays valid HTML and the same inputs give the same bytes."""
    start = text.find("<svg")
    body = text[start:]
    return re.sub(r"<metadata>.*?</metadata>\s*", "", body, flags=re.S)


def _stability_svg(rep: StabilityReport) -> str:
    """The stability figure of :func:`tripolar.report.plots.plot_stability`, as SVG text."""
    import matplotlib

    from tripolar.report.plots import plot_stability

    with tempfile.TemporaryDirectory() as tmp, matplotlib.rc_context({"svg.hashsalt": "tripolar"}):
        path = Path(tmp) / "stability.svg"
        plot_stability([rep], path)
        return _clean_svg(path.read_text(encoding="utf-8"))


def _utility_svg(report: Report) -> str:
    """Each party's utility of each treaty against no deal (bars; 0 = no deal)."""
    import io

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    props = [p for p in report.assessment.proposals if p.negotiation is not None]
    parties = sorted({q for p in props for q in p.negotiation.utilities} if props else set())  # type: ignore[union-attr]
    with matplotlib.rc_context({"svg.hashsalt": "tripolar"}):
        fig, ax = plt.subplots(figsize=(7.5, 3.2))
        try:
            width = 0.8 / max(len(props), 1)
            for k, pa in enumerate(props):
                col = pa.negotiation
                assert col is not None
                ax.bar(
                    [i + k * width for i in range(len(parties))],
                    [col.utilities.get(q, 0.0) for q in parties],
                    width,
                    label=pa.treaty.id + (" (in ZOPA)" if col.in_zopa else ""),
                )
            ax.axhline(0.0, color="k", lw=0.8)
            ax.set_xticks([i + width * (len(props) - 1) / 2 for i in range(len(parties))])
            ax.set_xticklabels(parties)
            ax.set_ylabel("utility vs no deal")
            ax.set_title("Acceptability per party (0 = no deal)")
            ax.legend(fontsize=7)
            buf = io.StringIO()
            fig.savefig(buf, format="svg", bbox_inches="tight")
        finally:
            plt.close(fig)
    return _clean_svg(buf.getvalue())


# -- the page ------------------------------------------------------------------------------


def _treaty_sources(t: Treaty) -> list[str]:
    return [c.source_id for c in t.citations if c.source_id]


def _bibliography(report: Report, used: set[str]) -> list[dict[str, str]]:
    ds = report.context.dataset()
    out = []
    for sid in sorted(used, key=lambda s: (int(re.sub(r"\D", "", s) or 0), s)):
        rec = ds.source(sid)
        if rec is None:
            out.append(
                {
                    "id": sid,
                    "publisher": "",
                    "title": "(not in the sources table)",
                    "date": "",
                    "url": "",
                    "grade": "",
                }
            )
            continue
        out.append(
            {
                "id": sid,
                "publisher": str(rec.get("publisher") or ""),
                "title": str(rec.get("title") or ""),
                "date": str(rec.get("date") or ""),
                "url": str(rec.get("url") or ""),
                "grade": str(rec.get("grade") or ""),
            }
        )
    return out


def _split(src: str) -> list[str]:
    return [s.strip() for s in re.split(r"[;,]", src) if s.strip()]


def page_context(report: Report) -> dict[str, Any]:
    """The values the template renders (rows, numbers as spans, SVG figures)."""
    a = report.assessment
    parties = list(a.postures)
    system_rows = {p: _force_rows(report, p) for p in parties}
    stock_rows = {p: _stockpile_rows(report, p) for p in parties}
    forces = [
        {
            "party": p,
            "posture": a.postures[p],
            "systems": system_rows[p],
            "stockpile": stock_rows[p],
        }
        for p in parties
    ]
    used: set[str] = set()
    for p in parties:
        used.update(a.postures[p].sources)
        for row in (*system_rows[p], *stock_rows[p]):
            used.update(_split(row["src"]))
    treaties = []
    for pa in a.proposals:
        rep = report.stability[pa.treaty.id]
        used.update(_treaty_sources(pa.treaty))
        used.update(source_ids_in(rep.assumptions))
        treaties.append(
            {
                "pa": pa,
                "description": " ".join(pa.treaty.description.split()),
                "citations": pa.treaty.citations,
                "counts": _count_rows(pa),
                "uploads": _upload_rows(pa),
                "stability": rep,
                "stability_rows": _stability_rows(pa.treaty.id, rep),
                "stability_svg": _stability_svg(rep),
                "least_stable": rep.least_stable,
                "least_stable_r": _num(
                    f"{rep.least_stable['r']:.2f}",
                    rep.least_stable["r"],
                    f"stability/{pa.treaty.id}/least_stable/r",
                    run=stability_run_id(pa.treaty.id),
                ),
                "summary_r": _num(
                    f"{rep.least_stable['r']:.2f}",
                    rep.least_stable["r"],
                    f"summary/{pa.treaty.id}/least_stable/r",
                    run=stability_run_id(pa.treaty.id),
                ),
                "column": pa.stability,
                "verification": _verification_rows(pa),
                "verification_rule": None if pa.verification is None else pa.verification.rule,
                "negotiation": _negotiation_rows(pa),
                "zopa": pa.negotiation,
                "nash": None
                if pa.negotiation is None or pa.negotiation.nash_product is None
                else _num(
                    f"{pa.negotiation.nash_product:.4f}",
                    pa.negotiation.nash_product,
                    f"nash/{pa.treaty.id}",
                    run=ASSESS_RUN,
                ),
                "stability_run": stability_run_id(pa.treaty.id),
                "verdicts": {
                    party: pe.verdict for party, pe in pa.evaluation.parties.items() if pe.is_party
                },
            }
        )
    for n in a.notes:
        used.update(source_ids_in([n]))
    return {
        "report": report,
        "title": "tripolar report: " + ", ".join(t.name for t in report.treaties),
        "version": report.version,
        "dataset_hash": report.dataset_hash,
        "ctx": report.context,
        "runs": report.runs,
        "forces": forces,
        "treaties": treaties,
        "summary_parties": parties,
        "count_legend": COUNT_LEGEND,
        "notes": a.notes,
        "utility_svg": _utility_svg(report),
        "bibliography": _bibliography(report, used),
    }


def render_html(report: Report) -> str:
    """The report as one self-contained HTML page (UTF-8 text)."""
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    env = Environment(
        loader=PackageLoader("tripolar.report", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env.get_template("report.html.j2").render(**page_context(report))
