"""The cut of many treaty variants, as ``variant_forces`` makes it, against a slow reference.

The reference is the path before the cut was made cheaper: every figure through pydantic's
validation (alert-level figures, pooled holdings) or ``model_copy`` (scaled holdings and
postures), every count made afresh for each variant (no memo), the group count always
computed, the ceiling of a number built on every look-up. Forces, notes and compliance
reports must be equal (``==``), and so must the cut postures, field by field, with the same
fields set, hashes and pickles, for many variants, every rule, a posture with pooled
categories (China, cut or not), alert levels with a CEP factor, and a data copy with one
changed figure.
"""

from __future__ import annotations

import csv
import pickle
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tripolar.context import EvaluationContext
from tripolar.data.loader import bundled_dir
from tripolar.errors import InputError
from tripolar.exchange import force as xf
from tripolar.exchange.alert import AlertLevels, Entry, alert_levels_for
from tripolar.exchange.force import (
    _CATEGORY_BASING,
    _EXCHANGE_CATEGORIES,
    Force,
    ForceSystem,
    LegFigures,
    _basing_of,
    _central,
    _from_leg,
    _loading,
    _mean_loading,
)
from tripolar.exchange.montecarlo import PARTIES, real_forces
from tripolar.forces import Posture, SystemHolding
from tripolar.forces.records import pooled_holding
from tripolar.ranges import Range
from tripolar.stability.batch import variant_forces
from tripolar.treaty import compliance as tc
from tripolar.treaty import force_cut as fc
from tripolar.treaty import load_treaty
from tripolar.treaty.counting import CountsUnder
from tripolar.treaty.force_cut import (
    _COUNT_FIELDS,
    _MARGIN,
    _NS_PROBE,
    RULES,
    _count_now,
    _known,
    contributes,
)
from tripolar.treaty.schema import Ceiling, Treaty

# -- the reference: the cut as it was made before it was made cheaper -----------------------


def _ref_exchange_posture(
    posture: Posture, legs: dict[str, LegFigures] | None = None
) -> tuple[Posture, list[str]]:
    notes: list[str] = []
    party = posture.party
    kept: list[Any] = []
    pooled: dict[str, dict[str, Any]] = {}
    for h in posture.systems:
        if h.category == "nonstrategic":
            notes.append(f"{party} {h.system_id}: non-strategic, left out of the exchange")
    for cat in _EXCHANGE_CATEGORIES:
        hs = [h for h in posture.systems if h.category == cat]
        if not hs:
            continue
        complete = all(
            h.level == "system"
            and h.deployed_launchers is not None
            and h.warheads_loaded is not None
            for h in hs
        )
        if complete:
            kept.extend(hs)
            continue
        live = [
            h
            for h in hs
            if not (
                h.deployed_launchers is not None
                and h.deployed_launchers.value == 0
                and (h.warheads_loaded is None or h.warheads_loaded.value == 0)
                and h.level == "system"
            )
        ]
        basings = {_basing_of(h.basing, h.category) for h in live}
        leg = next((h for h in hs if h.level == "leg"), None)
        lau_known = [h.deployed_launchers for h in hs if h.deployed_launchers is not None]
        wh_known = [h.warheads_loaded for h in hs if h.warheads_loaded is not None]
        pooled[cat] = {
            "id": leg.system_id
            if leg is not None
            else legs[cat].system_id
            if legs and cat in legs
            else f"{party.lower()}-{cat}-pooled",
            "basing": basings.pop() if len(basings) == 1 else _CATEGORY_BASING[cat],
            "lau": sum((r for r in lau_known), Range.exact(0.0)),
            "lau_complete": all(h.deployed_launchers is not None for h in hs),
            "wh": sum((r for r in wh_known), Range.exact(0.0)),
            "wh_complete": all(h.warheads_loaded is not None for h in hs),
            "loading": _mean_loading(hs),
            "members": [h.system_id for h in hs],
        }
        notes.append(
            f"{party} {cat}: per-system figures incomplete; "
            + ", ".join(pooled[cat]["members"])
            + f" pooled into one class {pooled[cat]['id']} (basing {pooled[cat]['basing']})"
        )
    # Launchers and warheads not public: the leg figures of the dataset, where it has them.
    for cat, pc in pooled.items():
        if legs and cat in legs and pc["lau"].value <= 0 and pc["wh"].value <= 0:
            note = _from_leg(cat, pc, legs[cat], party)
            if note is not None:
                notes.append(note)
    # Warheads not public: launchers x mean loading, capped by the stockpile.
    for cat, pc in pooled.items():
        if pc["wh"].value <= 0 and not pc["wh_complete"] and pc["lau"].value > 0:
            pc["wh"] = pc["lau"].scale(pc["loading"])
            pc["wh_derived"] = True
            notes.append(
                f"{party} {cat}: loaded warheads not public; launchers x mean maximum loading "
                f"{pc['loading']:.2f} = {pc['wh'].value:,.0f} (derived)"
            )
    derived = [c for c, pc in pooled.items() if pc.get("wh_derived")]
    stock = posture.stockpile.military_stockpile
    if derived and stock is not None:
        known = sum(_central(h.warheads_loaded) or 0.0 for h in kept) + sum(
            pc["wh"].value for c, pc in pooled.items() if c not in derived
        )
        room = max(stock.value - known, 0.0)
        total = sum(pooled[c]["wh"].value for c in derived)
        if total > room:
            f = room / total if total > 0 else 0.0
            for c in derived:
                pooled[c]["wh"] = pooled[c]["wh"].scale(f)
            notes.append(
                f"{party}: derived warheads capped at the military stockpile "
                f"({stock.value:,.0f}) less the warheads known"
            )
    # Launchers not public: share of the deployed-launcher aggregate, or warheads / loading.
    pending = [c for c, pc in pooled.items() if not pc["lau_complete"] and pc["wh"].value > 0]
    agg = next((a for a in posture.aggregates if a.quantity == "deployed_launchers"), None)
    if pending:
        known_l = sum(_central(h.deployed_launchers) or 0.0 for h in kept) + sum(
            pc["lau"].value for c, pc in pooled.items() if c not in pending
        )
        w_pending = sum(pooled[c]["wh"].value for c in pending)
        for c in pending:
            pc = pooled[c]
            if agg is not None and agg.value.value > known_l:
                share = (agg.value.value - known_l) * pc["wh"].value / w_pending
                how = f"share of the {agg.value.value:,.0f} deployed launchers ({agg.note})"
            else:
                share = pc["wh"].value / max(pc["loading"], 1.0)
                how = f"warheads / mean maximum loading {pc['loading']:.2f}"
            if share > pc["lau"].value:
                pc["lau"] = Range.exact(share)
            notes.append(
                f"{party} {c}: deployed launchers not public; {pc['lau'].value:,.0f} from the {how}"
            )
    out = list(kept)
    for cat, pc in pooled.items():
        if pc["lau"].value <= 0 or pc["wh"].value <= 0:
            notes.append(
                f"{party} {cat}: launchers or warheads not public; left out of the exchange"
            )
            continue
        out.append(
            SystemHolding(
                system_id=pc["id"],
                category=cat,
                basing=pc["basing"],
                level="system",
                deployed_launchers=pc["lau"],
                warheads_loaded=pc["wh"],
            )
        )
    return posture.model_copy(update={"systems": out}), notes


def _ref_force_from_posture(posture: Posture, params: AlertLevels) -> Force:
    systems: list[ForceSystem] = []
    cep_scale = params.cep_scale()
    # The parameters' figures are built once per call (each lookup builds a new range).
    reliability: Range | None = None
    hardness: dict[str, Range] = {}
    default_yield: dict[str, Range] = {}
    default_cep: dict[str, Range] = {}
    scaled_cep: dict[int, tuple[Range, Range]] = {}
    for h in posture.systems:
        if h.deployed_launchers is None or h.warheads_loaded is None:
            continue
        lau = h.deployed_launchers
        wh = h.warheads_loaded
        if lau.value <= 0 or wh.value <= 0:
            continue
        basing = _basing_of(h.basing, h.category)
        wpl = _loading(lau, wh)
        assumed = ["reliability", "hardness_psi"]
        if h.yield_kt is not None:
            y = h.yield_kt
        else:
            y = default_yield.get(h.category) or default_yield.setdefault(
                h.category, params.default_yield_kt(h.category)
            )
            assumed.append("yield_kt")
        if h.cep_m is not None:
            cep = h.cep_m
        else:
            cep = default_cep.get(h.category) or default_cep.setdefault(
                h.category, params.default_cep_m(h.category)
            )
            assumed.append("cep_m")
        if cep_scale is not None:
            hit = scaled_cep.get(id(cep))
            if hit is None or hit[0] is not cep:
                hit = scaled_cep[id(cep)] = (cep, cep.times(cep_scale))
            cep = hit[1]
            assumed.append("cep_scale")
        if reliability is None:
            reliability = params.reliability()
        hard = hardness.get(basing) or hardness.setdefault(basing, params.hardness_psi(basing))
        systems.append(
            ForceSystem(
                system_id=h.system_id,
                category=h.category,
                basing=basing,
                launchers=lau,
                warheads_per_launcher=wpl,
                yield_kt=y,
                cep_m=cep,
                reliability=reliability,
                hardness_psi=hard,
                assumed=tuple(assumed),
            )
        )
    if not systems:
        raise InputError(
            "the posture has no system with known deployed launchers and loaded warheads",
            field=f"{posture.party}.systems",
            expected="at least one system with deployed_launchers and warheads_loaded",
        )
    return Force(party=posture.party, systems=tuple(systems))


def _ref_scale_holding(h: SystemHolding, f: float) -> SystemHolding:
    return h.model_copy(
        update={
            k: None if getattr(h, k) is None else getattr(h, k).scale(max(f, 0.0))
            for k in _COUNT_FIELDS
        }
    )


def _ref_apply_factors(
    posture: Posture,
    treaty: Treaty,
    new_holdings: dict[int, SystemHolding],
    factors: dict[int, float | None],
    nonstrategic_factor: float | None = None,
) -> Posture:
    systems = [new_holdings.get(i, h) for i, h in enumerate(posture.systems)]
    stock = posture.stockpile
    if nonstrategic_factor is not None and stock.deployed_nonstrategic is not None:
        stock = stock.model_copy(
            update={"deployed_nonstrategic": stock.deployed_nonstrategic.scale(nonstrategic_factor)}
        )
    after = posture.model_copy(update={"systems": systems, "stockpile": stock})
    inc = treaty.counting.include_nonstrategic
    aggs = []
    for agg in posture.aggregates:
        q = agg.quantity
        covered = [i for i, h in enumerate(posture.systems) if contributes(q, h, inc)]
        fs = {factors.get(i, 1.0) for i in covered}
        if covered and len(fs) == 1 and None not in fs:
            (f,) = fs
            value = agg.value.scale(float(f))  # type: ignore[arg-type]
        else:
            removed = _known(q, posture, treaty) - _known(q, after, treaty)
            value = (agg.value - removed).clip_min(0.0)
        aggs.append(agg.model_copy(update={"value": value}))
    return after.model_copy(update={"aggregates": aggs})


def _ref_scale_group(
    posture: Posture,
    treaty: Treaty,
    quantity: str,
    group: Callable[[SystemHolding], bool],
    needed: float,
    counts: CountsUnder | None = None,
) -> tuple[Posture, float]:
    inc = treaty.counting.include_nonstrategic
    members = {
        i for i, h in enumerate(posture.systems) if contributes(quantity, h, inc) and group(h)
    }
    ns_in_group = quantity == "deployed_warheads" and inc and group(_NS_PROBE)
    stock = (
        posture.stockpile
        if ns_in_group
        else posture.stockpile.model_copy(update={"deployed_nonstrategic": None})
    )
    part = posture.model_copy(
        update={
            "systems": [posture.systems[i] for i in sorted(members)],
            "aggregates": [],
            "stockpile": stock,
        },
    )
    c_group = _known(quantity, part, treaty)
    whole = all(
        group(h) for h in posture.systems if contributes(quantity, h, inc)
    ) and ns_in_group == (quantity == "deployed_warheads" and inc)
    full = _count_now(quantity, posture, treaty, counts)
    if whole and full is not None:
        c_group = full
    if c_group <= 0 or needed <= 0:
        return posture, max(needed, 0.0)
    f = max((c_group - needed) / c_group, 0.0) * (1.0 - _MARGIN)
    new = {i: _ref_scale_holding(posture.systems[i], f) for i in members}
    factors: dict[int, float | None] = {i: f for i in members}
    out = _ref_apply_factors(posture, treaty, new, factors, f if ns_in_group else None)
    return out, max(needed - c_group, 0.0)


def _ref_resolve(
    self: Any, spec: Ceiling, party: str, quantity: str
) -> tuple[Range | None, str, list[str]]:
    if isinstance(spec, int | float):
        return Range.exact(float(spec)), f"{spec:g}", []
    return _resolve(self, spec, party, quantity)


_resolve = tc._Context.resolve


@contextmanager
def reference_paths(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The slow paths in place of the fast ones, for the block."""
    with monkeypatch.context() as m:
        m.setattr(xf, "exchange_posture", _ref_exchange_posture)
        m.setattr(xf, "force_from_posture", _ref_force_from_posture)
        m.setattr(fc, "_scale_group", _ref_scale_group)
        m.setattr(tc._Context, "resolve", _ref_resolve)
        m.setattr(Entry, "range", property(lambda e: Range.of(e.value, e.low, e.high)))
        yield


# -- comparisons ---------------------------------------------------------------------------


def _state(x: Any) -> Any:
    """Everything ``==`` may not look at: the type, every field (nested), the fields set."""
    if isinstance(x, list | tuple):
        return [type(x).__name__, *(_state(v) for v in x)]
    if isinstance(x, dict):
        return {k: _state(v) for k, v in x.items()}
    if hasattr(x, "__pydantic_fields_set__"):
        return (
            type(x).__qualname__,
            list(x.__dict__),
            {k: _state(v) for k, v in x.__dict__.items()},
            sorted(x.__pydantic_fields_set__),
            x.__pydantic_extra__,
            x.__pydantic_private__,
        )
    return (type(x).__name__, repr(x))


def _same_posture(fast: Posture, slow: Posture) -> None:
    assert fast == slow
    assert _state(fast) == _state(slow)
    assert pickle.loads(pickle.dumps(fast)) == slow
    for a, b in zip(fast.systems, slow.systems, strict=True):
        for k in _COUNT_FIELDS:
            ra, rb = getattr(a, k), getattr(b, k)
            assert ra is None or hash(ra) == hash(rb)


def _variant(base: Treaty, **ceilings: float) -> Treaty:
    d = base.model_dump(mode="json", exclude_none=True)
    d["id"] = base.id + "".join(f"-{k[9]}{v:g}".replace(".", "p") for k, v in ceilings.items())
    for lim in d["limits"]:
        if lim["id"] in ceilings:
            lim["ceiling"] = ceilings[lim["id"]]
            lim.pop("schedule", None)
    return Treaty.model_validate(d)


def _treaties() -> list[Treaty]:
    base = load_treaty("tri-new-start")
    out = [_variant(base, deployed_warheads=c) for c in range(800, 1800, 45)]
    # China cut too: its deployed warheads (24 under New START rules) above the ceiling
    out += [_variant(base, deployed_warheads=c) for c in (10, 20, 23.5)]
    out += [_variant(base, deployed_launchers=c) for c in (150, 300, 700)]
    out += [_variant(base, deployed_warheads=600, total_launchers=350)]
    ids = ("new-start", "sort", "start-i", "tri-all-warheads", "tri-china-freeze")
    ids += ("tri-equal-1000", "tri-proportional", "tri-us-matches-combined")
    out += [load_treaty(i) for i in ids]
    return out


@pytest.fixture(scope="module")
def treaties() -> list[Treaty]:
    return _treaties()


def _compare_variants(ctx: EvaluationContext, treaties: list[Treaty], monkeypatch) -> int:
    """``variant_forces`` over the variants with one memo against the reference, variant by
    variant; returns how many variants cut China."""
    memo: dict[Any, Any] = {}
    fast = [variant_forces(t, ctx, memo) for t in treaties]
    levels = alert_levels_for(ctx)
    with reference_paths(monkeypatch):
        slow = [
            real_forces(ctx.postures(PARTIES), levels, treaty=t, rule=ctx.rule, context=ctx)
            for t in treaties
        ]
    cut_cn = 0
    for t, (f_forces, f_notes, f_comp), (s_forces, s_notes, s_comp) in zip(
        treaties, fast, slow, strict=True
    ):
        assert f_forces == s_forces, t.id
        assert f_notes == s_notes, t.id
        assert f_comp == s_comp, t.id
        cut_cn += f_comp["CN"]["changed"]
    return cut_cn


@pytest.mark.parametrize("rule", RULES)
def test_variant_forces_equal_the_reference(treaties, rule, monkeypatch):
    ctx = EvaluationContext(rule=rule)
    assert _compare_variants(ctx, treaties, monkeypatch) >= 3


@pytest.mark.parametrize("rule", RULES)
def test_cut_postures_equal_the_reference_field_by_field(treaties, rule, monkeypatch):
    ctx = EvaluationContext()
    ps = ctx.postures(PARTIES)
    counts = fc.CountCache(parts=False)
    fast = [fc.comply_all(t, ps, rule, context=ctx, counts=counts) for t in treaties]
    with reference_paths(monkeypatch):
        slow = [fc.comply_all(t, ps, rule, context=ctx) for t in treaties]
    for (fp, fr), (sp, sr) in zip(fast, slow, strict=True):
        assert {k: r.to_dict() for k, r in fr.items()} == {k: r.to_dict() for k, r in sr.items()}
        assert list(fp) == list(sp)
        for k in fp:
            _same_posture(fp[k], sp[k])
            # the exchange posture of each cut posture, pooled categories (China) included
            legs = xf.dataset_leg_figures(ctx.dataset(), k, fp[k].date.year)
            (fe, fn), (se, sn) = (
                xf.exchange_posture(fp[k], legs),
                _ref_exchange_posture(sp[k], legs),
            )
            assert fn == sn
            _same_posture(fe, se)
    # the given postures are not changed by the cuts
    assert ps == {k: EvaluationContext().posture(k) for k in PARTIES}


def _changed_data(tmp_path: Path) -> Path:
    """The bundled tables with China's 2024 ICBM launchers and the US Minuteman III warheads
    changed."""
    d = tmp_path / "data"
    shutil.copytree(bundled_dir(), d)
    path = d / "system_figures.csv"
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    changes = {
        ("cn-icbm-leg", "2024", "launchers_deployed"): "250",
        ("us-mmiii", "2025", "warheads_deployed"): "380",
    }
    for r in rows:
        v = changes.pop((r["system_id"], r["as_of"], r["quantity"]), None)
        if v is not None:
            assert r["value"] != v
            r["value"], r["low"], r["high"] = v, "", ""
    assert not changes
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    return d


def test_variant_forces_equal_the_reference_on_changed_data(treaties, tmp_path, monkeypatch):
    ctx = EvaluationContext(data_dir=_changed_data(tmp_path), rule="keep-ssbn")
    bundled = variant_forces(treaties[0], EvaluationContext(rule="keep-ssbn"))
    assert variant_forces(treaties[0], ctx)[0] != bundled[0]  # the data reach the forces
    _compare_variants(ctx, treaties, monkeypatch)


def test_variant_forces_equal_the_reference_with_alert_overrides(treaties, monkeypatch):
    """Levels with a CEP factor and a fixed hardness; the figures kept per levels object do
    not leak from one context's levels into another's."""
    over = (("parameters.cep_scale", 1.25), ("parameters.hardness_psi.silo", 2500.0))
    ctx = EvaluationContext(alert_overrides=over, rule="icbm-first")
    t = load_treaty("tri-new-start")
    plain = variant_forces(t, EvaluationContext(rule="icbm-first"))[0]
    scaled = variant_forces(t, ctx)[0]
    us, us0 = (
        next(s for s in f["US"].systems if s.system_id == "us-mmiii") for f in (scaled, plain)
    )
    assert us.cep_m == us0.cep_m.times(Range.of(1.25)) and us.hardness_psi == Range.of(2500.0)
    assert "cep_scale" in us.assumed and "cep_scale" not in us0.assumed
    _compare_variants(ctx, treaties[::3], monkeypatch)


# -- the fast constructions, one by one --------------------------------------------------


def test_alert_figures_are_the_validated_ranges():
    levels = alert_levels_for(EvaluationContext(alert_overrides=(("parameters.cep_scale", 1.1),)))
    entries: list[Entry] = [levels.parameters.reliability, levels.parameters.reserve_delta]
    for group in ("hardness_psi", "cep_m", "yield_kt", "w80", "storage_sites"):
        entries += getattr(levels.parameters, group).values()
    for by_party in levels.postures.values():
        for pp in by_party.values():
            entries += [e for e in pp.__dict__.values() if e is not None]
    assert len(entries) > 20
    for e in entries:
        fast, slow = e.range, Range.of(e.value, e.low, e.high)
        assert fast == slow and _state(fast) == _state(slow) and hash(fast) == hash(slow)
        assert pickle.loads(pickle.dumps(fast)) == slow
    # an entry that is not an ordered float triple (built without validation) goes through
    # Range's validation and its error
    bad = Entry.model_construct(value=2.0, low=3.0, high=4.0, basis="assumed")
    with pytest.raises(ValueError, match="low <= value <= high"):
        _ = bad.range
    ints = Entry.model_construct(value=2, low=1, high=3, basis="assumed")
    assert _state(ints.range) == _state(Range.of(2, 1, 3))


@pytest.mark.parametrize(
    ("sid", "lau", "wh"),
    [
        ("cn-icbm-leg", Range.of(350.0, 300.0, 400.0), Range.of(400.0)),
        ("x" * 64, Range.exact(0.0), Range.of(1e7)),
    ],
)
def test_pooled_holding_is_the_validated_holding(sid, lau, wh):
    fast = pooled_holding(sid, "icbm", "mixed", lau, wh)
    slow = SystemHolding(
        system_id=sid,
        category="icbm",
        basing="mixed",
        level="system",
        deployed_launchers=lau,
        warheads_loaded=wh,
    )
    assert fast == slow and _state(fast) == _state(slow)
    assert pickle.loads(pickle.dumps(fast)) == slow
    assert (
        fast.sources == [] and fast.sources is not pooled_holding(sid, "icbm", "", lau, wh).sources
    )


@pytest.mark.parametrize(
    ("sid", "lau", "wh"),
    [
        ("x" * 65, Range.of(1.0), Range.of(1.0)),
        ("ok", Range.of(1.0), Range.of(2e7)),
        ("ok", Range.of(float("inf")), Range.of(1.0)),
        ("ok", Range._ordered_result(float("nan"), 0.0, 1.0), Range.of(1.0)),
    ],
)
def test_pooled_holding_refuses_what_validation_refuses(sid, lau, wh):
    with pytest.raises(ValueError) as slow:
        SystemHolding(
            system_id=sid,
            category="icbm",
            basing="mixed",
            level="system",
            deployed_launchers=lau,
            warheads_loaded=wh,
        )
    with pytest.raises(ValueError) as fast:
        pooled_holding(sid, "icbm", "mixed", lau, wh)
    assert str(fast.value) == str(slow.value)


def _scaled(p: Posture, f: float) -> Posture:
    return p.model_copy(update={"systems": [_ref_scale_holding(h, f) for h in p.systems]})


@pytest.mark.parametrize("f", [1.0, 0.5, 1e-3, 0.0])
def test_exchange_posture_equals_the_reference(f):
    """Every party (China's categories pooled, some from its leg figures), scaled down to
    nothing; and a China whose launchers are zero in one system and whose stockpile caps
    the derived warheads."""
    ctx = EvaluationContext()
    levels = alert_levels_for(ctx)
    cases = []
    for k in PARTIES:
        p = _scaled(ctx.posture(k), f)
        cases.append((p, xf.dataset_leg_figures(ctx.dataset(), k, p.date.year)))
        cases.append((p, None))
    cn = ctx.posture("CN")
    systems = [
        h.model_copy(update={"deployed_launchers": Range.exact(0.0), "warheads_loaded": None})
        if h.system_id == "cn-df41"
        else h
        for h in cn.systems
    ]
    stock = cn.stockpile.model_copy(update={"military_stockpile": Range.of(150.0)})
    cases.append((cn.model_copy(update={"systems": systems, "stockpile": stock}), None))
    for p, legs in cases:
        (fe, fn), (se, sn) = xf.exchange_posture(p, legs), _ref_exchange_posture(p, legs)
        assert fn == sn
        _same_posture(fe, se)
        try:
            slow_force = _ref_force_from_posture(se, levels)
        except InputError as e:
            with pytest.raises(InputError) as fast_error:
                xf.force_from_posture(fe, levels)
            assert str(fast_error.value) == str(e)
            continue
        assert xf.force_from_posture(fe, levels) == slow_force


def test_memo_counts_the_given_postures_once(treaties, monkeypatch):
    """With one memo over the variants, each given posture is counted once per quantity."""
    from tripolar.treaty import counting

    ctx = EvaluationContext()
    ps = ctx.postures(PARTIES)
    seen: list[tuple[int, str]] = []
    count = counting._count

    def spy(quantity, posture, rules, by_system):
        seen.append((id(posture), quantity))
        return count(quantity, posture, rules, by_system)

    monkeypatch.setattr(counting, "_count", spy)
    memo: dict[Any, Any] = {}
    for t in treaties[:8]:
        variant_forces(t, ctx, memo)
    given = [k for k in seen if k[0] in {id(p) for p in ps.values()}]
    assert given and len(given) == len(set(given))
    assert isinstance(memo["counts"], counting.CountCache)


@pytest.mark.parametrize("f", [-0.0, 0.0, 0.3, 1.0, float("inf")])
def test_scale_holding_keeps_the_signs_and_specials(f):
    """Zero counts kept as they are only where scaling would give the same floats (not for
    a factor of -0.0, whose product is -0.0, nor an infinite one, whose product is NaN)."""
    for k in PARTIES:
        for h in EvaluationContext().posture(k).systems:
            assert _state(fc._scale_holding(h, f)) == _state(_ref_scale_holding(h, f))


def _nonstrategic_from_stockpile(p: Posture) -> Posture:
    """``p`` with its non-strategic warheads known from the stockpile figure only."""
    systems = [
        h.model_copy(update={"warheads_loaded": None}) if h.category == "nonstrategic" else h
        for h in p.systems
    ]
    stock = p.stockpile.model_copy(update={"deployed_nonstrategic": Range.of(90.0, 80.0, 120.0)})
    return p.model_copy(update={"systems": systems, "stockpile": stock})


@pytest.mark.parametrize("rule", RULES)
def test_cut_with_nonstrategic_warheads_from_the_stockpile(rule, monkeypatch):
    """Treaties counting non-strategic warheads, which come from the stockpile figure: the
    aggregates covering holdings cut by different factors take the removed count."""
    ctx = EvaluationContext()
    ps = {k: _nonstrategic_from_stockpile(p) for k, p in ctx.postures(PARTIES).items()}
    base = load_treaty("tri-all-warheads")
    treaties = [base, load_treaty("tri-proportional"), load_treaty("tri-china-freeze")]
    treaties += [_variant(base, deployed_warheads=c) for c in (400, 900)]
    counts = fc.CountCache(parts=False)
    fast = [fc.comply_all(t, ps, rule, context=ctx, counts=counts) for t in treaties]
    with reference_paths(monkeypatch):
        slow = [fc.comply_all(t, ps, rule, context=ctx) for t in treaties]
    changed = 0
    for (fp, fr), (sp, sr) in zip(fast, slow, strict=True):
        assert {k: r.to_dict() for k, r in fr.items()} == {k: r.to_dict() for k, r in sr.items()}
        for k in fp:
            _same_posture(fp[k], sp[k])
            changed += fr[k].changed
    assert changed
