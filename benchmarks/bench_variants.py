"""Speed of many treaty variants in one call (:func:`tripolar.stability.batch.evaluate_variants`).

The variants are tri-new-start with its deployed-warhead ceiling set from 800 to 1,795 in
steps of 5 (200 variants, each a real treaty the force cutter makes the parties meet). At 100
samples they are evaluated together, the variant axis folded into the sample axis, and then
one at a time through ``run_stability`` (which calls ``stability_report``) in the same run;
the reports are checked equal. Target: at most 6 ms per variant evaluated together.

Times are CPU seconds (the machine may be shared): the batch is the best of 3 calls, each
with a fresh context (nothing a context caches carries over), the baseline one pass; the
garbage the set-up left is collected before each timed part, so that a collection of it does
not land inside one. No assertions on time.
Run: ``.venv/bin/python benchmarks/bench_variants.py [N_VARIANTS]``
"""

from __future__ import annotations

import gc
import sys
import time
from collections.abc import Callable

from summary import emit

from tripolar.context import EvaluationContext
from tripolar.exchange.alert import load_alert_levels
from tripolar.stability.batch import evaluate_variants, variant_forces
from tripolar.stability.run import run_stability
from tripolar.treaty import load_treaty
from tripolar.treaty.schema import Treaty

SAMPLES = 100


def variants(n: int) -> list[Treaty]:
    base = load_treaty("tri-new-start")
    out = []
    for i in range(n):
        d = base.model_dump(mode="json", exclude_none=True)
        ceiling = 800 + 5 * i
        d["id"] = f"tri-new-start-w{ceiling}"
        for lim in d["limits"]:
            if lim["id"] == "deployed_warheads":
                lim["ceiling"] = ceiling
                lim.pop("schedule", None)
        out.append(Treaty.model_validate(d))
    return out


def cpu_seconds(fn: Callable[[], object]) -> float:
    """CPU time of one call of ``fn``, after a collection of the garbage left before it."""
    gc.collect()
    t0 = time.process_time()
    fn()
    return time.process_time() - t0


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    ts = variants(n)
    levels = load_alert_levels()
    evaluate_variants(ts[:2], EvaluationContext(samples=SAMPLES, seed=1))  # warm-up

    batch: list = []

    def together() -> None:
        batch[:] = evaluate_variants(ts, EvaluationContext(samples=SAMPLES, seed=1))

    t_batch = min(cpu_seconds(together) for _ in range(3))

    # The cut alone, with one context and one memo as evaluate_variants has (postures built
    # once; a party no cut changes built into exchange forces once).
    ctx = EvaluationContext(samples=SAMPLES, seed=1)
    ctx.postures(("US", "RU", "CN"))
    memo: dict = {}
    t_cut = cpu_seconds(lambda: [variant_forces(t, ctx, memo) for t in ts])

    one: list = []
    t_one = cpu_seconds(
        lambda: one.extend(run_stability(t, levels, n_samples=SAMPLES, seed=1) for t in ts)
    )
    ok = all(a.to_dict() == b.to_dict() for a, b in zip(batch, one, strict=True))
    per_b, per_o = t_batch / n * 1e3, t_one / n * 1e3
    print(f"{n} variants of tri-new-start x 9 cases x 2 postures x {SAMPLES} samples")
    print(
        f"  together (evaluate_variants, best of 3): {t_batch:6.2f} s = {per_b:5.2f} ms per variant"
    )
    print(
        f"    of which cutting forces (comply_all + exchange forces): {t_cut / n * 1e3:5.2f} ms"
        " per variant"
    )
    print(f"  one at a time (run_stability): {t_one:6.2f} s = {per_o:5.2f} ms per variant")
    print(
        f"  speed-up {t_one / t_batch:.1f}x (target <= 6 ms per variant);"
        f" same reports: {'yes' if ok else 'NO'}"
    )
    emit(
        "bench_variants",
        f"{n} treaty variants at {SAMPLES} samples, evaluated together",
        f"{per_b:.1f} ms per variant ({t_one / t_batch:.1f}x one at a time; same reports: "
        f"{'yes' if ok else 'NO'})",
        "<= 6 ms per variant",
        per_b <= 6.0 and ok,
    )


if __name__ == "__main__":
    main()
