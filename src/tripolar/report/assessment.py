"""Rendering the assessment: rich tables for the terminal, Markdown for reports."""

from __future__ import annotations

from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text

from tripolar.assess import Assessment, ProposalAssessment
from tripolar.report.tables import count_text, fmt_range, status_text


def _extra_cells(pa: ProposalAssessment, party: str) -> list[str]:
    cells = []
    for _name, cols in pa.extras.items():
        val = cols.get(party)
        cells.append(
            ""
            if val is None
            else str(val.get("summary", val))
            if isinstance(val, dict)
            else str(val)
        )
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
    if not pa.extras:
        return None
    t = Table(show_header=True, box=None, padding=(0, 1))
    t.add_column("party")
    for name in pa.extras:
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
    for n in a.notes:
        parts.append(Text("• " + n, style="dim"))
    return Group(*parts)


def treaty_level_lines(pa: ProposalAssessment) -> list[str]:
    """The treaty-level summaries of the extra columns (least stable case, ZOPA ...)."""
    out = []
    for name, cols in pa.extras.items():
        t = cols.get("_treaty") if isinstance(cols, dict) else None
        if isinstance(t, dict) and t.get("summary"):
            out.append(f"{name}: {t['summary']}")
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
        head += list(pa.extras)
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
                    fmt_range(r.count),
                    fmt_range(r.ceiling),
                    fmt_range(r.headroom, signed=True),
                    status,
                    "—" if after is None else f"{after:,.0f}",
                ]
                row += _extra_cells(pa, party) if i == 0 else [""] * len(pa.extras)
                lines.append("| " + " | ".join(_md_cell(c) for c in row) + " |")
        lines.append("")
        lines += [f"- {line}" for line in treaty_level_lines(pa)]
        lines.append("")
    lines += ["## Notes", ""] + [f"- {n}" for n in a.notes] + [""]
    lines += ["## Where the data is incomplete", ""]
    for party, p in a.postures.items():
        for n in p.notes:
            lines.append(f"- {party}: {n}")
    lines.append("")
    return "\n".join(lines)
