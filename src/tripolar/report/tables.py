"""Rich tables for treaty evaluations and upload results (terminal rendering only)."""

from __future__ import annotations

from rich.table import Table

from tripolar.ranges import Range
from tripolar.treaty.compliance import LimitResult, TreatyEvaluation
from tripolar.treaty.upload import UploadResult

STATUS_STYLE = {
    "complies": "green",
    "exceeds": "red",
    "unknown": "yellow",
    "exempt": "dim",
    "not a party": "dim",
}


def fmt_range(r: Range | None, signed: bool = False) -> str:
    """Format a range as '1,550' or '1,550 (1,500–1,600)'; '—' when unknown."""
    if r is None:
        return "—"
    f = "{:+,.0f}" if signed else "{:,.0f}"
    if r.is_exact:
        return f.format(r.value)
    return f"{f.format(r.value)} ({f.format(r.low)}…{f.format(r.high)})"


#: What the markers of a count mean, for every renderer's legend.
COUNT_LEGEND = (
    "'—' = not public; '≥' = only part of the force is public (lower bound); '*' = "
    "party-level figure (declared New START aggregate or FAS/SIPRI deployed estimate); "
    "'(R)' = figure recalled from a publication, not checked against its text"
)


def count_text(r: LimitResult) -> str:
    """The count, '≥ N' when only a lower bound is known, '*' when an aggregate stands in,
    '(R)' when the figure it rests on is graded R."""
    if r.count is None:
        return "—" if r.at_least is None else f"≥ {r.at_least.value:,.0f}"
    text = fmt_range(r.count) + ("*" if r.count_basis == "aggregate" else "")
    return text + (f" ({r.count_grade})" if r.count_grade == "R" else "")


def status_text(r: LimitResult) -> str:
    style = STATUS_STYLE.get(r.status, "")
    label = (
        r.status
        if r.certain or r.status in ("unknown", "exempt", "not a party")
        else (f"{r.status}?")
    )
    return f"[{style}]{label}[/{style}]" if style else label


def evaluation_table(ev: TreatyEvaluation, *, schedule: bool = False) -> Table:
    """One row per party and limit (and date, with ``schedule``)."""
    t = Table(title=f"{ev.treaty.name} [{ev.treaty.id}]")
    for col in ("party", "limit", "date", "count", "ceiling", "headroom", "status"):
        t.add_column(col, justify="right" if col in ("count", "ceiling", "headroom") else "left")
    for party, pe in ev.parties.items():
        for lid, final in pe.limits.items():
            rows = pe.schedule[lid] if schedule else [final]
            for r in rows:
                t.add_row(
                    party,
                    lid,
                    r.date.isoformat() if r.date else "",
                    count_text(r),
                    fmt_range(r.ceiling),
                    fmt_range(r.headroom, signed=True),
                    status_text(r),
                )
    t.caption = (
        "headroom = ceiling - count (negative: cut required). '?' = the verdict depends on "
        f"which estimate in the band is right; {COUNT_LEGEND}; see --json count_note."
    )
    return t


def upload_table(results: list[UploadResult]) -> Table:
    t = Table(title="Upload potential (warheads that could be added to deployed forces)")
    for col in (
        "party",
        "system",
        "empty MIRV positions",
        "empty launchers",
        "bombers returned",
        "added warheads",
    ):
        t.add_column(col, justify="left" if col in ("party", "system") else "right")
    for res in results:
        for s in res.systems:
            t.add_row(
                res.party,
                s.system_id,
                fmt_range(s.empty_mirv_positions),
                fmt_range(s.empty_launchers),
                fmt_range(s.bombers_returned),
                fmt_range(s.added_warheads),
            )
        if not res.capacity_computed:
            total = "not computed (no system's figures are public)"
        elif res.unknown_systems:
            total = f"≥ {fmt_range(res.capacity)} (not computed for {len(res.unknown_systems)})"
        else:
            total = fmt_range(res.capacity)
        t.add_row(res.party, "[b]total (launcher capacity)[/b]", "", "", "", f"[b]{total}[/b]")
        t.add_row(res.party, "reserve warheads", "", "", "", fmt_range(res.reserve_warheads))
    return t


def breakout_table(results: list[UploadResult]) -> Table:
    t = Table(title="After full upload: counts against the treaty's ceilings")
    t.caption = (
        "after upload: every empty position filled (launcher capacity); with reserve "
        "warheads: warhead counts limited to what the reserve holds (FAS figures)"
    )
    for col in (
        "party",
        "limit",
        "now",
        "after upload",
        "with reserve warheads",
        "ceiling",
        "excess",
    ):
        t.add_column(col, justify="left" if col in ("party", "limit") else "right")
    for res in results:
        for lid, row in res.excess().items():
            t.add_row(
                res.party,
                lid,
                *(
                    "—" if row[k] is None else f"{row[k]:,.0f}"
                    for k in (
                        "count_now",
                        "count_after_upload",
                        "count_after_upload_reserve_limited",
                        "ceiling",
                        "excess_after_upload",
                    )
                ),
            )
    return t
