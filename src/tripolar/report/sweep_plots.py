"""Plots of a sweep: heatmap of the least-stable ratio over two ceilings, tornado chart.

Rendering only (matplotlib, Agg backend) of :mod:`tripolar.sweep.analysis` results; files
are written by :func:`tripolar.report.plots.save_figure` (atomically, format by suffix).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from tripolar.report.plots import save_figure

if TYPE_CHECKING:
    from tripolar.sweep.analysis import Sensitivity, StableSet


def plot_heatmap(stable: StableSet, x: str, y: str, out: Path) -> Path:
    """The worst least-stable ratio (over every other axis) per (x, y) cell, with the
    all-stable boundary (solid) and the ZOPA boundary (dashed)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    c = stable.cells
    g = c.groupby([y, x]).agg(
        least_r=("least_r", "min"), all_stable=("all_stable", "all"), in_zopa=("in_zopa", "all")
    )
    xs = np.sort(c[x].unique())
    ys = np.sort(c[y].unique())
    grid = {k: np.full((len(ys), len(xs)), np.nan) for k in ("least_r", "all_stable", "in_zopa")}
    for (yv, xv), row in g.iterrows():
        i, j = int(np.searchsorted(ys, yv)), int(np.searchsorted(xs, xv))
        for k in grid:
            grid[k][i, j] = float(row[k])
    fig, ax = plt.subplots(figsize=(7, 5))
    im = ax.imshow(grid["least_r"], origin="lower", aspect="auto", cmap="RdYlGn", vmin=0, vmax=1)
    ax.set_xticks(range(len(xs)), [f"{v:g}" for v in xs])
    ax.set_yticks(range(len(ys)), [f"{v:g}" for v in ys])
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    fig.colorbar(im, ax=ax, label="least-stable ratio r (worst over other axes)")
    handles = []
    for k, style, label in (
        ("all_stable", "-", f"all-stable (r > {stable.threshold:g})"),
        ("in_zopa", "--", "ZOPA"),
    ):
        z = grid[k]
        if np.nanmin(z) < 0.5 < np.nanmax(z) and min(z.shape) >= 2:
            ax.contour(z, levels=[0.5], colors="black", linestyles=style, linewidths=1.5)
        handles.append(plt.Line2D([], [], color="black", linestyle=style, label=label))  # type: ignore[arg-type]
        for i, j in zip(*np.nonzero(z > 0.5), strict=True):
            if k == "all_stable":
                ax.text(j, i, "S", ha="center", va="center", fontsize=8)
    ax.legend(handles=handles, loc="upper left", fontsize=8)
    ax.set_title("least-stable ratio; S = all-stable cell")
    return save_figure(fig, out, field="--out")


def plot_tornado(sens: Sensitivity, out: Path) -> Path:
    """Sensitivity of the least-stable ratio to each axis, largest first."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = sens.ranked()[::-1]
    first = [sens.first[n] for n in names]
    fig, ax = plt.subplots(figsize=(7, 0.5 * len(names) + 1.5))
    pos = np.arange(len(names))
    if sens.total is not None:
        ax.barh(pos + 0.2, [sens.total[n] for n in names], height=0.4, label="total (ST)")
        ax.barh(pos - 0.2, first, height=0.4, label="first order (S1)")
        ax.legend(fontsize=8)
    else:
        ax.barh(pos, first, height=0.6, label="first order")
    ax.set_yticks(pos, names)
    ax.set_xlabel(f"share of the variance of {sens.output}")
    ax.set_title(sens.method, fontsize=9)
    return save_figure(fig, out, field="--out")


def write_report_plots(
    stable: StableSet, sens: Sensitivity, x: str | None, y: str | None, out_dir: Path
) -> dict[str, Any]:
    """Both plots into ``out_dir`` (heatmap only with two ceiling axes); returns the paths."""
    out: dict[str, Any] = {}
    out_dir.mkdir(parents=True, exist_ok=True)
    if x is not None and y is not None:
        out["heatmap"] = str(plot_heatmap(stable, x, y, out_dir / "heatmap.png"))
    out["tornado"] = str(plot_tornado(sens, out_dir / "tornado.png"))
    return out
