"""Plots of a treaty family's bargaining problem: utility space, frontier, solutions.

Rendering only (matplotlib, Agg backend); the figures come from
:class:`tripolar.negotiation.family.FamilyAnalysis`. Files are written by
:func:`tripolar.report.plots.save_figure` (PNG, SVG or PDF by suffix, atomically, with the
user's umask), so a failed plot leaves nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from tripolar.report.plots import save_figure

if TYPE_CHECKING:
    from tripolar.negotiation.family import FamilyAnalysis

_MARKERS = {
    "nash": ("*", "Nash"),
    "kalai_smorodinsky": ("D", "Kalai-Smorodinsky"),
    "egalitarian": ("s", "egalitarian"),
}


def _plot_solutions(ax: Any, solutions: Sequence[Any], i: int, j: int) -> None:
    """The solutions' markers; solutions at the same point are drawn nested (each smaller
    and hollow) and labelled together, so that none hides under another."""
    drawn: list[tuple[float, float, str]] = []
    for s in solutions:
        if s.utilities is None:
            continue
        marker, name = _MARKERS.get(s.method, ("x", s.method))
        x, y = float(s.utilities[i]), float(s.utilities[j])
        under = [n for a, b, n in drawn if np.isclose(a, x) and np.isclose(b, y)]
        drawn.append((x, y, name))
        if not under:
            ax.plot(x, y, marker, ms=11, label=name)
            continue
        ax.plot(
            x,
            y,
            marker,
            ms=max(11 - 4 * len(under), 4),
            mfc="none",
            mew=1.6,
            label=f"{name} (same point as {' and '.join(under)})",
        )


def plot_family(analysis: FamilyAnalysis, out: Path) -> Path:
    """Pairwise utility planes (each pair of parties): every member, the Pareto frontier, the
    ZOPA, the no-deal point (origin) and the solutions, written atomically to ``out``
    (PNG, SVG or PDF by its suffix)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rep = analysis.result.report
    u = analysis.result.utilities.matrix
    parties = rep.parties
    pairs = [(i, j) for i in range(len(parties)) for j in range(i + 1, len(parties))]
    fig, axes = plt.subplots(1, len(pairs), figsize=(4.2 * len(pairs), 4.2), squeeze=False)
    pareto = np.zeros(u.shape[1], dtype=bool)
    pareto[rep.pareto] = True
    zopa = np.zeros(u.shape[1], dtype=bool)
    zopa[rep.zopa] = True
    for ax, (i, j) in zip(axes[0], pairs, strict=True):
        ax.scatter(u[i], u[j], s=10, c="0.7", label="members")
        ax.scatter(u[i, pareto], u[j, pareto], s=16, c="tab:blue", label="Pareto frontier")
        if zopa.any():
            ax.scatter(
                u[i, zopa],
                u[j, zopa],
                s=30,
                facecolors="none",
                edgecolors="tab:green",
                label="ZOPA",
            )
        ax.axhline(0.0, color="k", lw=0.6)
        ax.axvline(0.0, color="k", lw=0.6)
        ax.plot([0.0], [0.0], "ko", label="no deal")
        _plot_solutions(ax, rep.solutions, i, j)
        ax.set_xlabel(f"{parties[i]} utility vs no deal")
        ax.set_ylabel(f"{parties[j]} utility vs no deal")
        ax.grid(alpha=0.3)
    axes[0][0].legend(fontsize=7)
    title = f"{analysis.family.name}: {u.shape[1]} members, ZOPA {int(zopa.sum())}"
    fig.suptitle(title, fontsize=9)
    fig.tight_layout()
    try:
        return save_figure(fig, out, dpi=110, tight=False)
    finally:
        plt.close(fig)
