"""Plots of stability results (matplotlib, Agg backend, written atomically).

A plot is written to a temporary file beside the target and renamed into place, so that a
failed or interrupted run never leaves a half-written image.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tripolar.errors import InputError

_FORMATS = (".png", ".svg", ".pdf")


def check_plot_path(path: str | Path) -> Path:
    """The output path if its format is supported and its folder exists, else InputError."""
    p = Path(path)
    if p.suffix.lower() not in _FORMATS:
        raise InputError(
            f"unsupported plot format {p.suffix or '(none)'!r}",
            file=p,
            expected=" or ".join(_FORMATS),
        )
    if not p.parent.exists() or not p.parent.is_dir():
        raise InputError("folder does not exist", file=p, expected="an existing folder")
    return p


def _save_atomic(fig: Any, path: Path) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp{path.suffix}")
    try:
        fig.savefig(tmp, dpi=120, bbox_inches="tight")
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise InputError(f"cannot write ({exc.strerror})", file=path) from exc


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
        for k, rep in enumerate(reports):
            cs = sorted(rep.cases, key=lambda c: (c.posture, c.label))
            ax2.bar(
                [i + k * wid for i in range(len(cs))],
                [c.stability_index["fsi"].median for c in cs],
                wid,
                label=rep.treaty or "current forces",
            )
        cs0 = sorted(first.cases, key=lambda c: (c.posture, c.label))
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
        _save_atomic(fig, out)
    finally:
        plt.close(fig)
    return out
