"""The stability Monte Carlo: the 9 three-party cases per posture over sampled forces.

All samples of the data's bands and the model parameters (drawn as in
:mod:`tripolar.exchange.montecarlo`) go through the three-party stability calculus at once
(:func:`tripolar.stability.tripolar.tripolar_stability`, Kent & Thaler RAND R-3765-AF 1989
extended to three parties as in models.md 2.6). Results are medians and 5-95% bands per case,
the least stable case and every assumption used.
"""

from __future__ import annotations

import contextlib
import functools
import gc
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from tripolar.context import EvaluationContext
from tripolar.exchange.alert import AlertLevels, alert_levels_for
from tripolar.exchange.exchange import PartyState
from tripolar.exchange.first_strike import KentThalerParams
from tripolar.exchange.force import SAMPLED_FIGURES, Force, range_bounds, triangular_quantile
from tripolar.exchange.montecarlo import (
    _QS,
    PARTIES,
    POSTURE_NAMES,
    Band,
    level_assumptions,
    real_forces,
)
from tripolar.stability.tripolar import StabilityRows, TripolarResult, stability_rows

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class MonteCarloResult:
    """Tripolar stability per posture over ``n_samples`` draws, reproducible from ``seed``."""

    seed: int
    n_samples: int
    by_posture: dict[str, TripolarResult]

    def band(self, posture: str, case: str, party: str) -> Band:
        r = next(
            c.r for c in self.by_posture[posture].ratios if c.case == case and c.party == party
        )
        return Band.of(r)

    def to_dict(self) -> dict[str, Any]:
        return {
            "seed": self.seed,
            "n_samples": self.n_samples,
            "postures": {k: v.to_dict() for k, v in self.by_posture.items()},
        }

    def to_frame(self) -> Any:
        import pandas as pd

        frames = []
        for posture, res in self.by_posture.items():
            f = res.to_frame()
            f.insert(0, "posture", posture)
            frames.append(f)
        return pd.concat(frames, ignore_index=True)


#: Samples are drawn in blocks of this many, each from its own generator (the seed rule of
#: :func:`block_generator`); part of what a seed means, so it never changes with the chunk size.
RNG_BLOCK = 1024
#: Rows (samples times postures) evaluated together by default: large enough that numpy
#: works on big arrays, small enough that the working memory stays a few tens of MiB.
CHUNK_ROWS = 2048


def block_generator(seed: int, block: int) -> np.random.Generator:
    """The generator of sample block ``block`` (samples ``block * RNG_BLOCK`` onwards).

    Block 0 uses ``SeedSequence(seed)`` itself, i.e. ``numpy.random.default_rng(seed)``, so a
    run of up to :data:`RNG_BLOCK` samples draws exactly what one generator seeded with
    ``seed`` draws; block ``b >= 1`` uses the child ``SeedSequence(seed, spawn_key=(b,))``
    (independent streams, NumPy's spawning rule). Every sample's draws depend on the seed and
    its block only, never on how the samples are then split into chunks for evaluation.
    """
    ss = (
        np.random.SeedSequence(seed)
        if block == 0
        else np.random.SeedSequence(seed, spawn_key=(block,))
    )
    return np.random.default_rng(ss)


@dataclass(frozen=True)
class DrawLayout:
    """Where each party's drawn figures sit in a row of one posture's draws.

    A party's state is drawn (:func:`tripolar.exchange.exchange.party_state`) as its force's
    six figures (``(S, 6 J)``, :meth:`Force.sample_bounds`), then the untargetable share per
    system (``(S, J)``), then four scalars (de-mated share, storage aim points, storage
    hardness, ``w80``; ``(S, 4)``), each ``rng.random`` call taking the next uniforms of the
    stream. A row of a posture's draws holds the parties in turn, each as ``7 J + 4``
    columns in that order, so that every cell is one uniform through one triangular law.
    """

    parties: tuple[str, ...]
    n_systems: tuple[int, ...]
    offsets: tuple[int, ...]
    width: int

    @classmethod
    def of(cls, forces: dict[str, Force]) -> DrawLayout:
        n_sys = tuple(len(f.systems) for f in forces.values())
        offsets = tuple(int(x) for x in np.cumsum([0, *(7 * j + 4 for j in n_sys)]))
        return cls(tuple(forces), n_sys, offsets[:-1], offsets[-1])

    def force_columns(self) -> npt.NDArray[np.intp]:
        """The columns of the force figures (``6 J`` per party), in party order."""
        return np.concatenate(
            [np.arange(o, o + 6 * j) for o, j in zip(self.offsets, self.n_systems, strict=True)]
        )

    def uniforms(self, rng: np.random.Generator, n: int, n_postures: int) -> list[FloatArray]:
        """Per posture, the ``(n, width)`` uniforms that drawing each posture and party in turn
        with ``rng`` gives (one ``rng.random`` call of every uniform: the same stream)."""
        flat = rng.random(n * n_postures * self.width)
        out: list[FloatArray] = []
        at = 0
        for _ in range(n_postures):
            cols = []
            for j in self.n_systems:
                for w in (6 * j, j, 4):
                    cols.append(flat[at : at + n * w].reshape(n, w))
                    at += n * w
            out.append(np.concatenate(cols, axis=1))
        return out

    def force_figures(
        self,
    ) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp], npt.NDArray[np.intp]]:
        """For each column of :meth:`force_columns`: its party (index), figure and system."""
        party, figure, system = [], [], []
        for k, j in enumerate(self.n_systems):
            for f in range(6):
                party += [k] * j
                figure += [f] * j
                system += list(range(j))
        return (np.array(party, np.intp), np.array(figure, np.intp), np.array(system, np.intp))

    def by_figure(self, draws: FloatArray) -> list[tuple[FloatArray, FloatArray]]:
        """Per party, its columns of ``draws`` (rows of this layout) as ``(7, S, J)`` (the six
        force figures and the untargetable share, each ``(S, J)``) and ``(4, S)`` (the
        scalars), both C-ordered copies."""
        n = draws.shape[0]
        out = []
        for o, j in zip(self.offsets, self.n_systems, strict=True):
            figs = draws[:, o : o + 7 * j].reshape(n, 7, j).transpose(1, 0, 2).copy()
            out.append((figs, draws[:, o + 7 * j : o + 7 * j + 4].T.copy()))
        return out

    def states(
        self, draws: FloatArray, forces: dict[str, Force], posture: str
    ) -> dict[str, PartyState]:
        """The party states of ``draws`` (rows of this layout), views of its columns."""
        figures = []
        for o, j in zip(self.offsets, self.n_systems, strict=True):
            cols = [draws[:, o + i * j : o + (i + 1) * j] for i in range(7)]
            figures.append((cols, [draws[:, o + 7 * j + i] for i in range(4)]))
        return self._states(figures, forces, posture)

    def figure_states(
        self, figures: list[tuple[FloatArray, FloatArray]], forces: dict[str, Force], posture: str
    ) -> dict[str, PartyState]:
        """The party states of each party's figures as :meth:`by_figure` gives them, views of
        those (C-ordered, as concatenated states are)."""
        return self._states([(list(figs), list(sc)) for figs, sc in figures], forces, posture)

    def _states(
        self,
        figures: list[tuple[list[FloatArray], list[FloatArray]]],
        forces: dict[str, Force],
        posture: str,
    ) -> dict[str, PartyState]:
        out: dict[str, PartyState] = {}
        for k, (cols, scalars) in zip(self.parties, figures, strict=True):
            out[k] = PartyState(
                force=forces[k].arrays(dict(zip(SAMPLED_FIGURES, cols[:6], strict=True))),
                posture=posture,
                untargetable=cols[6],
                demated=scalars[0],
                storage_sites=scalars[1],
                storage_hardness_psi=scalars[2],
                w80=scalars[3],
            )
        return out


def posture_bounds(force: Force, levels: AlertLevels, posture: str) -> FloatArray:
    """The triangular laws of a party's posture figures, shape ``(3, J + 4)``: the
    untargetable share of each system, then the four scalars (as ``party_state`` draws them)."""
    party = force.party
    return range_bounds(
        [
            *(levels.untargetable_fraction(party, posture, s.basing) for s in force.systems),
            levels.demated_fraction(party, posture),
            levels.storage_sites(party),
            levels.hardness_psi("storage"),
            levels.w80(party),
        ]
    )


def state_bounds(
    forces: dict[str, Force],
    levels: AlertLevels,
    posture: str,
    force_bounds: dict[str, FloatArray] | None = None,
) -> FloatArray:
    """Every law of one posture's row (:class:`DrawLayout`), shape ``(3, width)``;
    ``force_bounds`` (by party) where the forces' own are already known."""
    parts = []
    for k, f in forces.items():
        parts.append(f.sample_bounds() if force_bounds is None else force_bounds[k])
        parts.append(posture_bounds(f, levels, posture))
    return np.concatenate(parts, axis=1)


def draw_block(
    forces: dict[str, Force],
    levels: AlertLevels,
    postures: tuple[str, ...],
    seed: int,
    block: int,
    n_samples: int,
) -> dict[str, dict[str, PartyState]]:
    """Party states of one sample block, by posture then party.

    Within a block the draws come in a fixed order: each posture in turn, each party in turn
    (as :func:`tripolar.exchange.exchange.party_state` draws them), ``n_samples`` at a time.
    They are taken as one stream and put through one triangular law per cell
    (:class:`DrawLayout`): the same numbers as drawing party by party.
    """
    lo = block * RNG_BLOCK
    n_b = min(RNG_BLOCK, n_samples - lo)
    layout = DrawLayout.of(forces)
    # The laws first: an unknown posture is refused before any draw.
    own = {k: f.sample_bounds() for k, f in forces.items()}
    bounds = [state_bounds(forces, levels, q, own) for q in postures]
    us = layout.uniforms(block_generator(seed, block), n_b, len(postures))
    out: dict[str, dict[str, PartyState]] = {}
    for q, u, (lo_b, mode, hi) in zip(postures, us, bounds, strict=True):
        draws = triangular_quantile(u, lo_b, mode, hi)
        out[q] = layout.states(draws, forces, q)
    return out


def check_chunk_rows(chunk_rows: int) -> None:
    if isinstance(chunk_rows, bool) or not isinstance(chunk_rows, int) or chunk_rows < 1:
        from tripolar.errors import InputError

        raise InputError(
            f"invalid chunk size {chunk_rows!r}", field="chunk_rows", expected="a whole number >= 1"
        )


def _states_of(
    blocks: dict[int, dict[str, dict[str, PartyState]]], posture: str, lo: int, hi: int
) -> dict[str, PartyState]:
    """The states of samples ``lo`` to ``hi - 1`` in ``posture`` (from the blocks drawn)."""
    parts: dict[str, list[PartyState]] = {}
    for b in range(lo // RNG_BLOCK, (hi - 1) // RNG_BLOCK + 1):
        start = b * RNG_BLOCK
        sl = slice(max(lo - start, 0), min(hi - start, RNG_BLOCK))
        for k, st in blocks[b][posture].items():
            parts.setdefault(k, []).append(st.take(sl))
    return {k: PartyState.concat(v) for k, v in parts.items()}


def sample_rows(
    forces: dict[str, Force],
    levels: AlertLevels,
    *,
    n_samples: int,
    seed: int,
    postures: tuple[str, ...],
    params: KentThalerParams,
    chunk_rows: int = CHUNK_ROWS,
) -> dict[str, StabilityRows]:
    """The 9 cases' costs per sample and posture, evaluated ``chunk_rows`` rows at a time.

    The postures of a chunk's samples are evaluated together (rows end to end). Only the
    draws of the blocks a chunk needs are held, and only the first block's driver returns are
    kept (each case's driver is picked from the first :data:`RNG_BLOCK` samples), so memory
    beyond the per-sample costs stays that of one chunk. Each sample's values depend on the
    seed only, not on ``chunk_rows``.
    """
    check_chunk_rows(chunk_rows)
    delta = levels.parameters.reserve_delta.value
    lam = levels.parameters.follow_on_lambda.value
    per_chunk = max(1, chunk_rows // max(len(postures), 1))
    blocks: dict[int, dict[str, dict[str, PartyState]]] = {}
    # Each chunk is written into one result per posture (allocated with the first chunk);
    # the driver returns of the first block are kept apart and put together at the end.
    out: dict[str, StabilityRows] = {}
    gains: dict[str, list[StabilityRows]] = {q: [] for q in postures}
    for lo in range(0, n_samples, per_chunk):
        hi = min(lo + per_chunk, n_samples)
        for b in range(lo // RNG_BLOCK, (hi - 1) // RNG_BLOCK + 1):
            if b not in blocks:
                blocks[b] = draw_block(forces, levels, postures, seed, b, n_samples)
        for b in [b for b in blocks if (b + 1) * RNG_BLOCK <= lo]:
            del blocks[b]
        chunk = [_states_of(blocks, q, lo, hi) for q in postures]
        folded = {k: PartyState.concat([c[k] for c in chunk]) for k in forces}
        rows = stability_rows(folded, params=params, reserve_delta=delta, follow_on_lambda=lam)
        n = hi - lo
        keep_gains = max(0, min(hi, RNG_BLOCK) - lo)
        for i, q in enumerate(postures):
            part = rows.take(slice(i * n, (i + 1) * n))
            if q not in out:
                out[q] = part.allocate(n_samples)
            out[q].fill(lo, part)
            if keep_gains > 0:
                gains[q].append(part.with_gains_of(slice(0, keep_gains)))
    result: dict[str, StabilityRows] = {}
    for q in postures:
        g = StabilityRows.concat(gains[q]).gains
        result[q] = out[q].with_gains({k: (lab, v.copy()) for k, (lab, v) in g.items()})
    return result


def run_monte_carlo(
    forces: dict[str, Force],
    levels: AlertLevels,
    *,
    n_samples: int = 1000,
    seed: int = 0,
    postures: tuple[str, ...] = ("day_to_day", "generated"),
    params: KentThalerParams | None = None,
    chunk_rows: int = CHUNK_ROWS,
) -> MonteCarloResult:
    """Sample forces and parameters and evaluate the 9 three-party cases per posture.

    Samples are drawn per block (:func:`block_generator`) and evaluated ``chunk_rows`` rows
    (samples times postures) at a time; the result is the same for every ``chunk_rows``.
    The spend search is the exact branch and bound over the one-warhead grid unless
    ``params`` says otherwise. Each case's driver is picked from the first
    :data:`RNG_BLOCK` samples.
    """
    p = params or KentThalerParams()
    rows = sample_rows(
        forces,
        levels,
        n_samples=n_samples,
        seed=seed,
        postures=postures,
        params=p,
        chunk_rows=chunk_rows,
    )
    out = {q: r.result(q) for q, r in rows.items()}
    return MonteCarloResult(seed=seed, n_samples=n_samples, by_posture=out)


@dataclass(frozen=True)
class StabilityCase:
    """One pair or coalition in one posture: the victims' survivors and the ratios ``r``.

    For an ordered pair A->B (third party held out) the index is ``r_A`` (A striking B first),
    ``r_B`` (B striking A first) and ``fsi = r_A r_B``. For a coalition A+B->C it is ``r_A``,
    ``r_B`` (the coalition striking first), ``r_C`` (C striking both first) and
    ``fsi = min(r_A, r_B) r_C``: a coalition is taken to be as ready to strike as its readier
    member (tripolar's rule).

    ``surviving_warheads`` are the victim's survivors at the striker's cost-minimising spend
    (the Kent-Thaler stop rule, the outcome the index is built on);
    ``damage_limiting_survivors`` at the damage-limiting spend (every usable counterforce
    warhead outside the reserve; for a coalition the best of pooling and either member
    alone), the worst case for the victim.
    """

    attackers: tuple[str, ...]
    victim: str
    posture: str
    surviving_warheads: Band
    stability_index: dict[str, Band]
    driver: str
    damage_limiting_survivors: Band

    @property
    def r_min(self) -> float:
        return min(b.median for k, b in self.stability_index.items() if k.startswith("r_"))

    @property
    def label(self) -> str:
        return "+".join(self.attackers) + "->" + self.victim

    def to_dict(self) -> dict[str, Any]:
        return {
            "attacker": list(self.attackers),
            "victim": self.victim,
            "posture": self.posture,
            "surviving_warheads": self.surviving_warheads.to_dict(),
            "damage_limiting_survivors": self.damage_limiting_survivors.to_dict(),
            "stability_index": {k: v.to_dict() for k, v in self.stability_index.items()},
            "driver": self.driver,
        }


@dataclass(frozen=True)
class StabilityReport:
    """The 9 cases in each posture, the least stable one, and every assumption used."""

    treaty: str | None
    rule: str | None
    seed: int
    n_samples: int
    cases: tuple[StabilityCase, ...]
    least_stable: dict[str, Any]
    assumptions: tuple[str, ...]
    compliance: dict[str, Any]
    forces: dict[str, Force]

    def to_dict(self) -> dict[str, Any]:
        return {
            "treaty": self.treaty,
            "rule": self.rule,
            "seed": self.seed,
            "samples": self.n_samples,
            "cases": [c.to_dict() for c in self.cases],
            "least_stable": self.least_stable,
            "compliance": self.compliance,
            "forces": {
                k: {
                    s.system_id: {
                        "basing": s.basing,
                        "launchers": s.launchers.value,
                        "warheads": s.warheads.value,
                    }
                    for s in f.systems
                }
                for k, f in self.forces.items()
            },
            "assumptions": list(self.assumptions),
        }

    def to_frame(self) -> Any:
        import pandas as pd

        rows = []
        for c in self.cases:
            row: dict[str, Any] = {
                "posture": c.posture,
                "case": c.label,
                "survivors_median": c.surviving_warheads.median,
                "survivors_p05": c.surviving_warheads.p05,
                "survivors_p95": c.surviving_warheads.p95,
                "damage_limiting_median": c.damage_limiting_survivors.median,
                "damage_limiting_p05": c.damage_limiting_survivors.p05,
                "damage_limiting_p95": c.damage_limiting_survivors.p95,
            }
            row.update({k: v.median for k, v in c.stability_index.items()})
            rows.append(row)
        return pd.DataFrame(rows)


@dataclass(frozen=True, eq=False)
class CasePlan:
    """How the 9 cases of a posture are read from its ratios, survivors and damage-limiting
    survivors (the lanes of :func:`posture_cases`), given the ratios' labels.

    The lanes are stacked as the cases' survivors (by ``case_keys``), the ratios, the cases'
    ``fsi``, the cases' damage-limiting survivors (by ``case_keys``); each spec is (attackers,
    victim, ratio index of the driver, (index name, lane) pairs). An ordered pair A->B reads
    ``r_A`` from the first ratio of party A whose case starts with ``"A->B "`` and ``r_B``
    likewise from ``"B->A "``, ``fsi = r_A r_B``; a coalition A+B->C reads each party's ratio
    from the first case starting with ``"A+B->C"``, ``fsi = min(r_A, r_B) r_C``. Compared by
    identity: :func:`case_plan` gives one plan per labelling.
    """

    ratio_labels: tuple[tuple[str, str], ...]
    case_keys: tuple[str, ...]
    pair_fsi: tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]
    coalition_fsi: tuple[npt.NDArray[np.intp], npt.NDArray[np.intp], npt.NDArray[np.intp]]
    specs: tuple[tuple[tuple[str, ...], str, int, tuple[tuple[str, int], ...]], ...]

    @property
    def driver_ratios(self) -> tuple[int, ...]:
        """The ratios whose drivers the cases report (by index)."""
        return tuple(sorted({d for _, _, d, _ in self.specs}))


@functools.lru_cache(maxsize=64)
def case_plan(ratio_labels: tuple[tuple[str, str], ...]) -> CasePlan:
    """The :class:`CasePlan` of ratios labelled (case, party)."""

    def r_of(case_prefix: str, party: str) -> int:
        return next(
            i for i, (c, p) in enumerate(ratio_labels) if p == party and c.startswith(case_prefix)
        )

    parties = sorted({p for _, p in ratio_labels}, key=lambda p: (*PARTIES, p).index(p))
    pairs = [(a, b) for a in parties for b in parties if a != b]
    n_c = len(pairs) + len(parties)
    # Lanes: survivors [0, n_c), ratios from n_c, fsi from n_c + ratios, damage after them.
    r_at, fsi_at = n_c, n_c + len(ratio_labels)
    keys: list[str] = []
    specs: list[tuple[tuple[str, ...], str, int, tuple[tuple[str, int], ...]]] = []
    pair_idx: list[tuple[int, int]] = []
    for a, b in pairs:
        ra, rb = r_of(f"{a}->{b} ", a), r_of(f"{b}->{a} ", b)
        index: tuple[tuple[str, int], ...] = (
            (f"r_{a}", r_at + ra),
            (f"r_{b}", r_at + rb),
            ("fsi", fsi_at + len(keys)),
        )
        specs.append(((a,), b, ra, index))
        keys.append(f"{a}->{b}")
        pair_idx.append((ra, rb))
    coalition_idx: list[tuple[int, int, int]] = []
    for c in parties:
        p0, p1 = [x for x in parties if x != c]
        label = f"{p0}+{p1}->{c}"
        r0, r1, rc = r_of(label, p0), r_of(label, p1), r_of(label, c)
        index = (
            (f"r_{p0}", r_at + r0),
            (f"r_{p1}", r_at + r1),
            (f"r_{c}", r_at + rc),
            ("fsi", fsi_at + len(keys)),
        )
        specs.append(((p0, p1), c, r0, index))
        keys.append(label)
        coalition_idx.append((r0, r1, rc))

    def ix(rows: list[tuple[int, ...]], n: int) -> tuple[npt.NDArray[np.intp], ...]:
        a = np.array(rows, dtype=np.intp).reshape(-1, n)
        return tuple(a[:, i] for i in range(n))

    pa, pb = ix(list(pair_idx), 2)
    c0, c1, cc = ix(list(coalition_idx), 3)
    return CasePlan(ratio_labels, tuple(keys), (pa, pb), (c0, c1, cc), tuple(specs))


def _sorted_quantiles(s: FloatArray, qs: FloatArray) -> FloatArray:
    """Linear quantiles (Hyndman & Fan's definition 7, numpy's default) of lanes sorted along
    the last axis, shape ``(len(qs), *s.shape[:-1])``: the order statistics either side of
    the virtual index ``(n - 1) q``, interpolated as :func:`numpy.quantile` does it (``a + (b -
    a) g``, or ``b - (b - a)(1 - g)`` from ``g = 0.5``; the last value where ``q`` reaches it;
    NaN where a lane holds one)."""
    n = s.shape[-1]
    v = (n - 1) * qs
    prev = np.floor(v)
    nxt = prev + 1
    top = v >= n - 1
    prev[top] = -1
    nxt[top] = -1
    i0, i1 = prev.astype(np.intp), nxt.astype(np.intp)
    g = (v - i0).reshape((-1,) + (1,) * (s.ndim - 1))
    a = np.moveaxis(s[..., i0], -1, 0)
    b = np.moveaxis(s[..., i1], -1, 0)
    d = b - a
    out = a + d * g
    np.subtract(b, d * (1 - g), out=out, where=g >= 0.5)
    last = s[..., -1]
    np.copyto(out, last, where=np.isnan(last))
    return np.asarray(out, dtype=np.float64)


def _sorted_medians(s: FloatArray) -> FloatArray:
    """Medians of lanes sorted along the last axis as :func:`numpy.median` gives them: the
    mean of the two middle values (the middle one of an odd count); NaN where a lane holds
    one."""
    n = s.shape[-1]
    h = n // 2
    out = s[..., h].copy() if n % 2 else (s[..., h - 1] + s[..., h]) / 2
    last = s[..., -1]
    np.copyto(out, last, where=np.isnan(last))
    return np.asarray(out, dtype=np.float64)


@functools.lru_cache(maxsize=256)
def _sorted_statistics_agree(n: int, qs: tuple[float, ...]) -> bool:
    """Whether :func:`_sorted_quantiles` and :func:`_sorted_medians` give numpy's numbers on
    ``n`` samples: checked once per ``n`` on lanes of distinct values, ties, infinities, NaN
    and a constant lane, so that a numpy computing them otherwise is noticed and used."""
    rng = np.random.default_rng(n)
    x = np.sort(rng.standard_normal((6, n)) * 1e3, axis=-1)
    x[1] = np.round(x[1] / 300.0)
    x[2, -1], x[3, 0], x[4, n // 2] = np.inf, -np.inf, np.nan
    x[5] = 7.0
    s = np.sort(x, axis=-1)
    q = np.array(qs)
    with np.errstate(invalid="ignore"):
        pairs = [
            (_sorted_quantiles(s, q), np.quantile(x, q, axis=-1)),
            (_sorted_medians(s), np.median(x, axis=-1)),
        ]
    return all(np.array_equal(a, b, equal_nan=True) for a, b in pairs)


class Lanes:
    """Samples on the last axis of an array ("lanes"), sorted once for their quantiles and
    medians: the numbers of :func:`numpy.quantile` and :func:`numpy.median` of the data, got
    from the sorted lanes' order statistics instead of selecting them afresh per call.

    ``-0.0`` and ``0.0`` compare equal, so which of them a selection returns depends on the
    order it meets them in; a lane holding a negative zero is computed from the data as
    given, as numpy computes it.
    """

    def __init__(self, x: FloatArray) -> None:
        self.data = x
        self.sorted = np.sort(x, axis=-1)
        self.as_given: npt.NDArray[np.bool_] | None = None
        if np.signbit(self.sorted).any():
            neg_zero = (np.signbit(x) & (x == 0)).any(axis=-1)
            if neg_zero.any():
                self.as_given = neg_zero

    def quantiles(self, qs: FloatArray) -> FloatArray:
        """``numpy.quantile(data, qs, axis=-1)``."""
        if _sorted_statistics_agree(self.data.shape[-1], tuple(qs.tolist())):
            out = _sorted_quantiles(self.sorted, qs)
        else:
            out = np.asarray(np.quantile(self.sorted, qs, axis=-1), dtype=np.float64)
        if self.as_given is not None:
            out[:, self.as_given] = np.quantile(self.data[self.as_given], qs, axis=-1)
        return out

    def medians(self, lanes: slice) -> FloatArray:
        """``numpy.median(data[..., lanes, :], axis=-1)`` (a range of lanes on the axis before
        the samples)."""
        s = self.sorted[..., lanes, :]
        if _sorted_statistics_agree(s.shape[-1], tuple(_QS.tolist())):
            out = _sorted_medians(s)
        else:
            out = np.asarray(np.median(s, axis=-1), dtype=np.float64)
        if self.as_given is not None:
            keep = self.as_given[..., lanes]
            out[keep] = np.median(self.data[..., lanes, :][keep], axis=-1)
        return out


def posture_cases(
    plan: CasePlan,
    ratios: FloatArray,
    survivors: FloatArray,
    damage: FloatArray,
    drivers: Sequence[Mapping[int, str]],
    postures: list[str],
) -> list[tuple[list[StabilityCase], int, float]]:
    """The cases of ``M`` posture results at once, and the least stable ratio of each.

    ``ratios`` ``(M, ratios, S)`` in the plan's order, ``survivors`` and ``damage`` ``(M, 9,
    S)`` by the plan's case keys; ``drivers[m]`` the driver of each ratio of
    :attr:`CasePlan.driver_ratios` (by index). Every band is :meth:`Band.of` of its lane (the
    lanes sorted once, :class:`Lanes`); the least stable is the index and median of the ratio
    with the smallest median, the first of equal ones, as :meth:`TripolarResult.least_stable`
    picks it.
    """
    ia, ib = plan.pair_fsi
    i0, i1, ic = plan.coalition_fsi
    fsi = np.concatenate(
        [ratios[:, ia] * ratios[:, ib], np.minimum(ratios[:, i0], ratios[:, i1]) * ratios[:, ic]],
        axis=1,
    )
    n_c, n_r = len(plan.case_keys), len(plan.ratio_labels)
    lanes = Lanes(np.concatenate([survivors, ratios, fsi, damage], axis=1))
    med, p05, p95 = lanes.quantiles(_QS).tolist()
    r_med = lanes.medians(slice(n_c, n_c + n_r))
    least_at = np.argmin(r_med, axis=1).tolist()
    r_least = r_med[np.arange(len(least_at)), least_at].tolist()
    dmg_at = n_c + n_r + n_c
    out: list[tuple[list[StabilityCase], int, float]] = []
    for m, posture in enumerate(postures):
        bands = list(map(Band, med[m], p05[m], p95[m]))
        drv = drivers[m]
        cases = [
            StabilityCase(
                attackers,
                victim,
                posture,
                bands[n],
                {name: bands[lane] for name, lane in index},
                drv[d],
                bands[dmg_at + n],
            )
            for n, (attackers, victim, d, index) in enumerate(plan.specs)
        ]
        out.append((cases, least_at[m], float(r_least[m])))
    return out


def assemble_report(
    by_posture: list[tuple[str, list[StabilityCase], tuple[str, str, float, str]]],
    *,
    seed: int,
    n_samples: int,
    forces: dict[str, Force],
    treaty: str | None,
    rule: str | None,
    assumptions: tuple[str, ...],
    compliance: dict[str, Any] | None,
) -> StabilityReport:
    """The report of the postures' cases: the least stable of all (the first posture of equal
    medians), ``assumptions`` as given (the caller adds the alert levels')."""
    cases: list[StabilityCase] = []
    least: dict[str, Any] = {}
    for posture, pc, (case, party, r, driver) in by_posture:
        cases.extend(pc)
        if not least or r < least["r"]:
            least = {"case": case, "party": party, "posture": posture, "r": r, "driver": driver}
    return StabilityReport(
        treaty=treaty,
        rule=rule,
        seed=seed,
        n_samples=n_samples,
        cases=tuple(cases),
        least_stable=least,
        assumptions=assumptions,
        compliance=compliance or {},
        forces=forces,
    )


def stability_report(
    forces: dict[str, Force],
    levels: AlertLevels,
    *,
    n_samples: int = 1000,
    seed: int = 0,
    postures: tuple[str, ...] = POSTURE_NAMES,
    treaty: str | None = None,
    rule: str | None = None,
    assumptions: tuple[str, ...] | list[str] = (),
    compliance: dict[str, Any] | None = None,
) -> StabilityReport:
    """Monte Carlo of the 9 cases per posture, as cases with survivors and index bands."""
    mc = run_monte_carlo(forces, levels, n_samples=n_samples, seed=seed, postures=postures)
    return report_from(
        mc,
        forces,
        levels,
        postures=postures,
        treaty=treaty,
        rule=rule,
        assumptions=assumptions,
        compliance=compliance,
    )


def report_from(
    mc: MonteCarloResult,
    forces: dict[str, Force],
    levels: AlertLevels,
    *,
    postures: tuple[str, ...],
    treaty: str | None,
    rule: str | None,
    assumptions: tuple[str, ...] | list[str],
    compliance: dict[str, Any] | None,
) -> StabilityReport:
    """The report of a Monte Carlo result: cases with bands, the least stable, assumptions."""
    by_posture: list[tuple[str, list[StabilityCase], tuple[str, str, float, str]]] = []
    # Postures whose results have the same labels are read with one plan, together.
    groups: dict[CasePlan, list[tuple[str, TripolarResult]]] = {}
    for posture, res in mc.by_posture.items():
        plan = case_plan(tuple((c.case, c.party) for c in res.ratios))
        groups.setdefault(plan, []).append((posture, res))
    done: dict[str, tuple[list[StabilityCase], tuple[str, str, float, str]]] = {}
    for plan, members in groups.items():
        found = posture_cases(
            plan,
            np.stack([np.stack([c.r for c in res.ratios]) for _, res in members]),
            np.stack([np.stack([res.survivors[k] for k in plan.case_keys]) for _, res in members]),
            np.stack(
                [np.stack([res.damage_survivors[k] for k in plan.case_keys]) for _, res in members]
            ),
            [dict(enumerate(c.driver for c in res.ratios)) for _, res in members],
            [q for q, _ in members],
        )
        for (q, res), (cases, at, r) in zip(members, found, strict=True):
            ls = res.ratios[at]
            done[q] = (cases, (ls.case, ls.party, r, ls.driver))
    by_posture = [(q, *done[q]) for q in mc.by_posture]
    return assemble_report(
        by_posture,
        seed=mc.seed,
        n_samples=mc.n_samples,
        forces=forces,
        treaty=treaty,
        rule=rule,
        assumptions=tuple(assumptions) + tuple(level_assumptions(levels, forces, postures)),
        compliance=compliance,
    )


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """Python's cyclic garbage collector paused for the block, its state restored after.

    An evaluation allocates many short-lived objects (arrays, results, pydantic copies)
    while the process holds many long-lived ones (datasets, postures, compiled code), so
    the collector's full passes, which walk all of them, cost up to a fifth of an
    evaluation; reference counting still frees everything that is not in a cycle, and the
    collector runs again when the block ends. Nested blocks are fine.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def run_stability(
    treaty: Any,
    levels: AlertLevels | None = None,
    *,
    context: EvaluationContext | None = None,
    year: int | None = None,
    n_samples: int | None = None,
    seed: int | None = None,
    postures: tuple[str, ...] = POSTURE_NAMES,
    rule: str | None = None,
) -> StabilityReport:
    """Stability of US, RU and CN forces, cut to comply with ``treaty`` if given.

    The forces, samples, seed and force-building rule come from ``context`` (default: the
    bundled data of 2025, 1,000 samples, seed 1, proportional cuts); ``year``, ``n_samples``,
    ``seed`` and ``rule`` given here override it; ``levels`` default to the context's alert
    levels.
    """
    with paused_gc():
        return _run_stability(treaty, levels, context, year, n_samples, seed, postures, rule)


def _run_stability(
    treaty: Any,
    levels: AlertLevels | None,
    context: EvaluationContext | None,
    year: int | None,
    n_samples: int | None,
    seed: int | None,
    postures: tuple[str, ...],
    rule: str | None,
) -> StabilityReport:
    ctx = context if context is not None else EvaluationContext()
    changes = {
        k: v
        for k, v in (("year", year), ("samples", n_samples), ("seed", seed), ("rule", rule))
        if v is not None
    }
    if changes:
        ctx = ctx.with_(**changes)
    lv = levels if levels is not None else alert_levels_for(ctx)
    forces, notes, compliance = real_forces(
        ctx.postures(PARTIES), lv, treaty=treaty, rule=ctx.rule, context=ctx
    )
    return stability_report(
        forces,
        lv,
        n_samples=ctx.samples,
        seed=ctx.seed,
        postures=postures,
        treaty=None if treaty is None else treaty.id,
        rule=None if treaty is None else ctx.rule,
        assumptions=[f"forces: dataset estimates for {ctx.year}", *notes],
        compliance=compliance,
    )
