"""Plot files: the one check of a ``--plot`` path and the one writer of a figure.

Every ``--plot`` option accepts PNG, SVG and PDF, chosen by the file's suffix, and is
checked by :func:`check_plot_path` before the computation starts. :func:`save_figure`
renders a matplotlib figure through :func:`tripolar.io_write.atomic_open`: a temporary
file beside the target, renamed into place, so that a failed or interrupted run never
leaves a half-written image; the file gets the user's umask like any other output.
This module also draws the stability plot (matplotlib, Agg backend).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tripolar.errors import InputError
from tripolar.io_write import atomic_open, check_output_path

#: Plot formats by file suffix (matplotlib's format names).
PLOT_FORMATS: dict[str, str] = {".png": "png", ".svg": "svg", ".pdf": "pdf"}


def check_plot_path(path: str | Path, *, field: str = "--plot") -> Path:
    """``path`` if its suffix is a supported format and it can be written, else
    :class:`~tripolar.errors.InputError` naming ``field`` and the accepted formats."""
    p = Path(path)
    if p.suffix.lower() not in PLOT_FORMATS:
        raise InputError(
            f"unsupported plot format {p.suffix or '(no suffix)'!r}",
            file=p,
            field=field,
            expected="a file name ending in " + ", ".join(PLOT_FORMATS),
        )
    check_output_path(path, field=field)
    return p


def save_figure(
    fig: Any, path: str | Path, *, field: str = "--plot", dpi: int = 120, tight: bool = True
) -> Path:
    """Write the matplotlib figure ``fig`` to ``path`` atomically (format from the suffix)."""
    p = check_plot_path(path, field=field)
    with atomic_open(path, field=field) as fh:
        fig.savefig(
            fh,
            format=PLOT_FORMATS[p.suffix.lower()],
            dpi=dpi,
            bbox_inches="tight" if tight else None,
        )
    return p


def plot_stability(reports: Sequence[Any], path: str | Path) -> Path:
    """Surviving warheads per case (median, 5-95% bars) and the index (fsi) per treaty.

    ``reports`` are :class:`tripolar.stability.run.StabilityReport` objects (one per
    treaty or baseline). Left panel: the victims' surviving warheads in each pair and
    coalition for the first report; right panel: the median ``fsi`` of each case per report.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out = check_plot_path(path)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(13, 5))
    try:
        first = reports[0]
        postures = sorted({c.posture for c in first.cases})
        width = 0.8 / max(len(postures), 1)
        labels = [c.label for c in first.cases if c.posture == postures[0]]
        for k, posture in enumerate(postures):
            cs = [c for c in first.cases if c.posture == posture]
            x = [i + k * width for i in range(len(cs))]
            med = [c.surviving_warheads.median for c in cs]
            lo = [c.surviving_warheads.median - c.surviving_warheads.p05 for c in cs]
            hi = [c.surviving_warheads.p95 - c.surviving_warheads.median for c in cs]
            ax1.bar(x, med, width, yerr=[lo, hi], capsize=2, label=posture.replace("_", "-"))
        ax1.set_xticks([i + width * (len(postures) - 1) / 2 for i in range(len(labels))])
        ax1.set_xticklabels(labels, rotation=45, ha="right")
        ax1.set_ylabel("victim's surviving warheads (median, 5-95%)")
        ax1.set_title(f"Surviving warheads: {first.treaty or 'current forces'}")
        ax1.legend()
        wid = 0.8 / max(len(reports), 1)

        def order(c: Any) -> tuple[int, int]:
            # Both panels list the cases as the left one does: the report's order of
            # cases, alert level by alert level.
            rank = labels.index(c.label) if c.label in labels else len(labels)
            return (postures.index(c.posture) if c.posture in postures else 0, rank)

        for k, rep in enumerate(reports):
            cs = sorted(rep.cases, key=order)
            ax2.bar(
                [i + k * wid for i in range(len(cs))],
                [c.stability_index["fsi"].median for c in cs],
                wid,
                label=rep.treaty or "current forces",
            )
        cs0 = sorted(first.cases, key=order)
        ax2.set_xticks([i + wid * (len(reports) - 1) / 2 for i in range(len(cs0))])
        ax2.set_xticklabels(
            [f"{c.label} ({'gen' if c.posture == 'generated' else 'd2d'})" for c in cs0],
            rotation=60,
            ha="right",
            fontsize=7,
        )
        ax2.set_ylim(0, 1.05)
        ax2.set_ylabel("first-strike stability index (median)")
        ax2.set_title("Index per case")
        ax2.legend(fontsize=7)
        save_figure(fig, out)
    finally:
        plt.close(fig)
    return out
