"""Rendering the assessment: rich tables for the terminal, Markdown for reports."""

from __future__ import annotations

from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text

from tripolar.assessment import Assessment, ProposalAssessment
from tripolar.assessment.negotiation import NegotiationColumn
from tripolar.assessment.stability import StabilityColumn
from tripolar.assessment.verification import PartyVerification
from tripolar.report.tables import COUNT_LEGEND, count_text, fmt_range, status_text


def _case(label: str) -> str:
    return label.replace("->", "→")


#: What the cells of the stability, verification and negotiation columns mean.
COLUMNS_LEGEND = (
    "stability: r_min = the party's lowest first-strike stability ratio r (its cost of "
    "striking first over its cost of being struck first, Kent-Thaler; 1 = nothing to gain "
    "by striking first, lower = more pressure to strike first), with the case and alert "
    "level giving it; verification: wh = warheads above the tightest deployed-warhead "
    "ceiling (a 10% excess), msl = deployed missiles they are uploaded onto, RV insp./yr = "
    "reentry-vehicle inspections per year needed for 95% detection, vs the Type One quota "
    "the party receives; negotiation: utility change against no deal, dimensionless (a "
    "sum of profile weights times shares of the no-deal forces, negotiation/utility.py; "
    "0 = no deal, positive = better off; +0.10 is what a cost term of weight 1 gives for a "
    "10% cut of the party's no-deal warheads)"
)


def _posture(name: str | None) -> str:
    return (name or "").replace("_", "-")


def stability_cell(col: StabilityColumn, party: str) -> str:
    """A party's least stable case, e.g. ``r_min 0.06 (RU→CN, day-to-day)``."""
    ps = col.parties.get(party)
    if ps is None:
        return ""
    return f"r_min {ps.r_min:.2f} ({_case(ps.case)}, {_posture(ps.posture)})"


def stability_line(col: StabilityColumn) -> str:
    if not col.applicable or col.case is None or col.r is None:
        return f"n/a ({col.reason})"
    return (
        f"least stable {_case(col.case)} ({_posture(col.posture)}): r_{col.party} {col.r:.2f} "
        f"({col.samples:,} samples, seed {col.seed})"
    )


def verification_cell(pv: PartyVerification | None) -> str:
    """e.g. ``+100 wh on 34 msl: 10 RV insp./yr vs quota 10 (reaches)``."""
    if pv is None:
        return ""
    if not pv.assessable:
        if pv.ceiling_limit is None:
            return "n/a: no deployed-warhead ceiling"
        return f"n/a: {pv.reason}"
    need = "unreachable" if pv.inspections_needed is None else str(pv.inspections_needed)
    verdict = "reaches" if pv.quota_reaches else "short"
    return (
        f"+{pv.excess_warheads} wh on {pv.violating_missiles} msl: {need} RV insp./yr "
        f"vs quota {pv.quota_type_one_per_year} ({verdict})"
    )


def negotiation_cell(col: NegotiationColumn, party: str) -> str:
    """e.g. ``+0.12 vs no deal (better off)``."""
    v = col.utilities.get(party)
    if v is None:
        return ""
    verdict = "better off" if v > 0 else ("worse off" if v < 0 else "indifferent")
    return f"{v:+.2f} vs no deal ({verdict})"


def negotiation_line(col: NegotiationColumn) -> str:
    if col.in_zopa:
        return f"in ZOPA, Nash rank {col.nash_rank} of {col.ranked_among}"
    return "outside ZOPA: " + ", ".join(col.not_better_off) + " not better off than no deal"


def _extra_cells(pa: ProposalAssessment, party: str) -> list[str]:
    cells = []
    for name, col in pa.columns().items():
        if name == "stability":
            cells.append(stability_cell(col, party))
        elif name == "verification":
            cells.append(verification_cell(col.parties.get(party)))
        else:
            cells.append(negotiation_cell(col, party))
    return cells


def proposal_table(pa: ProposalAssessment) -> Table:
    """Counts, ceilings, headroom, status and the count after a full upload, per limit."""
    t = Table(title=f"{pa.treaty.name} [{pa.treaty.id}]", title_justify="left")
    for c in ("party", "limit", "count", "ceiling", "headroom", "status", "after upload"):
        t.add_column(c, justify="left" if c in ("party", "limit", "status") else "right")
    for party, pe in pa.evaluation.parties.items():
        up = pa.uploads.get(party)
        exc = up.excess() if up else {}
        for i, (lid, r) in enumerate(pe.limits.items()):
            after = exc.get(lid, {}).get("count_after_upload")
            t.add_row(
                party if i == 0 else "",
                lid,
                count_text(r),
                fmt_range(r.ceiling),
                fmt_range(r.headroom, signed=True),
                status_text(r),
                "—" if after is None else f"{after:,.0f}",
            )
    return t


def extras_table(pa: ProposalAssessment) -> Table | None:
    """One row per party with the summaries of the other areas (stability, ...)."""
    if not pa.columns():
        return None
    t = Table(show_header=True, box=None, padding=(0, 1))
    t.add_column("party")
    for name in pa.columns():
        t.add_column(name, overflow="fold")
    for party in pa.evaluation.parties:
        t.add_row(party, *_extra_cells(pa, party))
    return t


def assessment_renderable(a: Assessment) -> Group:
    parts: list[Any] = [
        Text(
            f"tripolar assessment — forces of early {a.year}, dataset {a.dataset_hash[:12]}",
            style="bold",
        )
    ]
    for pa in a.proposals:
        parts.append(proposal_table(pa))
        extra = extras_table(pa)
        if extra is not None:
            parts.append(extra)
        for line in treaty_level_lines(pa):
            parts.append(Text("  " + line, style="italic"))
    for n in (*a.notes, f"Counts: {COUNT_LEGEND}.", f"Columns: {COLUMNS_LEGEND}."):
        parts.append(Text("• " + n, style="dim"))
    return Group(*parts)


def treaty_level_lines(pa: ProposalAssessment) -> list[str]:
    """The treaty-level lines of the area columns (least stable case, ZOPA ...)."""
    out = []
    if pa.stability is not None:
        out.append(f"stability: {stability_line(pa.stability)}")
    if pa.negotiation is not None:
        out.append(f"negotiation: {negotiation_line(pa.negotiation)}")
    return out


def _md_cell(x: Any) -> str:
    return str(x).replace("|", "\\|")


def assessment_markdown(a: Assessment) -> str:
    """The assessment as a Markdown report (one table per proposal)."""
    lines = [
        "# tripolar assessment",
        "",
        f"Forces of early {a.year} (dataset `{a.dataset_hash[:12]}`). Every built-in "
        "trilateral proposal, counted under its own rules.",
        "",
    ]
    for pa in a.proposals:
        lines += [
            f"## {pa.treaty.name} (`{pa.treaty.id}`)",
            "",
            " ".join(pa.treaty.description.split()),
            "",
        ]
        head = ["party", "limit", "count", "ceiling", "headroom", "status", "after full upload"]
        head += list(pa.columns())
        lines.append("| " + " | ".join(head) + " |")
        lines.append("|" + "---|" * len(head))
        for party, pe in pa.evaluation.parties.items():
            up = pa.uploads.get(party)
            exc = up.excess() if up else {}
            for i, (lid, r) in enumerate(pe.limits.items()):
                after = exc.get(lid, {}).get("count_after_upload")
                status = r.status + ("" if r.certain or r.status == "unknown" else " (uncertain)")
                row = [
                    party,
                    lid,
                    count_text(r),
                    fmt_range(r.ceiling),
                    fmt_range(r.headroom, signed=True),
                    status,
                    "—" if after is None else f"{after:,.0f}",
                ]
                row += _extra_cells(pa, party) if i == 0 else [""] * len(pa.columns())
                lines.append("| " + " | ".join(_md_cell(c) for c in row) + " |")
        lines.append("")
        lines += [f"- {line}" for line in treaty_level_lines(pa)]
        lines.append("")
    lines += ["## Notes", ""] + [f"- {n}" for n in a.notes]
    lines += [f"- Counts: {COUNT_LEGEND}.", f"- Columns: {COLUMNS_LEGEND}.", ""]
    lines += ["## Where the data is incomplete", ""]
    for party, p in a.postures.items():
        for n in p.notes:
            lines.append(f"- {party}: {n}")
    lines.append("")
    return "\n".join(lines)
