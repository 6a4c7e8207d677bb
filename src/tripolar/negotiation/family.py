"""Treaty families: a grid of treaty choices that expands into concrete :class:`Treaty` objects.

A family file (``negotiation/families/*.yaml``) fixes what every member shares (parties,
counting rules, dates) and lists the choices to vary:

* ``deployed_warheads``: per party, a list of final ceilings on deployed warheads (``null``
  = the party is not limited); with ``symmetric: true`` one list gives the same ceiling to
  every party at once (members = the list), otherwise every combination is a member;
* ``sublimits``: each a quantity with a list of options (a number = the same ceiling for
  every party, ``null`` = no such sub-limit);
* ``scope``: lists of choices for ``include_nonstrategic`` (counting rule),
  ``uk_fr_accounted`` and ``missile_defence_limits`` (provisions in force);
* ``verification``: named verification regimes (the treaty format's provisions), each a
  member choice.

The family expands to the Cartesian product of the choices (capped at
:data:`MAX_MEMBERS`). Every number in a bundled family is an illustrative value.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from tripolar.errors import MAX_COUNT, MAX_ID_CHARS, MAX_TEXT_CHARS, InputError
from tripolar.forces.records import TRILATERAL
from tripolar.io_yaml import load_yaml_file
from tripolar.negotiation.analysis import NegotiationResult, negotiate, profile_sensitivity
from tripolar.negotiation.bargaining import Sensitivity
from tripolar.negotiation.evaluate import Baseline, no_deal_outcome, treaty_outcomes
from tripolar.negotiation.profiles import Profile
from tripolar.negotiation.utility import TreatyOutcome
from tripolar.treaty.compliance import TreatyEvaluation, evaluate
from tripolar.treaty.schema import CountingRules, Quantity, Treaty, VerificationProvisions

FAMILY_DIR = Path(__file__).with_name("families")

#: Largest number of members a family may expand to (each is evaluated with the exchange).
MAX_MEMBERS = 2000

PROVISION_FLAGS = ("uk_fr_accounted", "missile_defence_limits")


class _Strict(BaseModel):
    # Finite numbers only, and bounded text: see tripolar.errors for the limits.
    model_config = ConfigDict(
        extra="forbid", frozen=True, allow_inf_nan=False, str_max_length=MAX_TEXT_CHARS
    )


#: A ceiling option: a finite number of at most MAX_COUNT, or null (no limit).
_Option = Annotated[float, Field(le=MAX_COUNT)] | None


class WarheadCeilings(_Strict):
    """Final deployed-warhead ceilings to choose from, per party or for all alike."""

    symmetric: bool = False
    options: list[_Option] = Field(default_factory=list)
    per_party: dict[str, list[_Option]] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _shape(self) -> WarheadCeilings:
        if self.symmetric and (not self.options or self.per_party):
            raise ValueError("symmetric ceilings need 'options' and no 'per_party'")
        if not self.symmetric and (self.options or not self.per_party):
            raise ValueError("non-symmetric ceilings need 'per_party' lists and no 'options'")
        for name, opts in [("options", self.options), *self.per_party.items()]:
            if name != "options" and not opts:
                raise ValueError(f"per_party.{name} is empty")
            for v in opts:
                if v is not None and v < 0:
                    raise ValueError(f"ceiling {v} is negative")
        return self


class SubLimit(_Strict):
    """An optional sub-limit: one ceiling for every party, or absent (``null``)."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=MAX_ID_CHARS)
    quantity: Quantity
    options: list[_Option] = Field(min_length=1)

    @model_validator(mode="after")
    def _non_negative(self) -> SubLimit:
        for v in self.options:
            if v is not None and v < 0:
                raise ValueError(f"ceiling {v} is negative")
        return self


class Scope(_Strict):
    include_nonstrategic: list[bool] = Field(default_factory=lambda: [False], min_length=1)
    uk_fr_accounted: list[bool] = Field(default_factory=lambda: [False], min_length=1)
    missile_defence_limits: list[bool] = Field(default_factory=lambda: [False], min_length=1)


class Family(_Strict):
    """Validated treaty family (one YAML file)."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=MAX_ID_CHARS)
    name: str
    description: str = ""
    parties: list[str] = Field(default_factory=lambda: list(TRILATERAL), min_length=2)
    entry_into_force: dt.date | None = None
    compliance_date: dt.date | None = None
    baseline_year: int = 2025
    counting: CountingRules = Field(default_factory=CountingRules)
    deployed_warheads: WarheadCeilings
    sublimits: list[SubLimit] = Field(default_factory=list)
    scope: Scope = Field(default_factory=Scope)
    verification: dict[str, VerificationProvisions] = Field(
        default_factory=lambda: {"none": VerificationProvisions()}, min_length=1
    )
    notes: str = ""

    @model_validator(mode="after")
    def _consistent(self) -> Family:
        for p in self.deployed_warheads.per_party:
            if p not in self.parties:
                raise ValueError(f"deployed_warheads names {p!r}, which is not a party")
        missing = set(self.parties) - set(self.deployed_warheads.per_party)
        if not self.deployed_warheads.symmetric and missing:
            raise ValueError(f"deployed_warheads has no options for {sorted(missing)}")
        ids = [s.id for s in self.sublimits]
        if "deployed_warheads" in ids or len(set(ids)) != len(ids):
            raise ValueError("sub-limit ids must be unique and not 'deployed_warheads'")
        n = self.size()
        if n > MAX_MEMBERS:
            raise ValueError(f"the family expands to {n} members, more than {MAX_MEMBERS}")
        return self

    def size(self) -> int:
        """Number of members the family expands to."""
        dw = self.deployed_warheads
        n = len(dw.options) if dw.symmetric else 1
        if not dw.symmetric:
            for p in self.parties:
                n *= len(dw.per_party.get(p, [None]))
        for s in self.sublimits:
            n *= len(s.options)
        sc = self.scope
        n *= len(sc.include_nonstrategic) * len(sc.uk_fr_accounted)
        n *= len(sc.missile_defence_limits) * len(self.verification)
        return n


@dataclass(frozen=True)
class Member:
    """One member of a family: the concrete treaty, its provisions and the choices made."""

    treaty: Treaty
    provisions: tuple[str, ...]
    choice: dict[str, Any] = field(default_factory=dict)
    label: str = ""

    @property
    def ceilings(self) -> dict[str, float | None]:
        """Deployed-warhead ceiling per party (None = not limited)."""
        return dict(self.choice["deployed_warheads"])

    def to_dict(self) -> dict[str, Any]:
        return {
            "treaty": self.treaty.id,
            "label": self.label,
            "choice": self.choice,
            "provisions": list(self.provisions),
        }


def _fmt(v: float | None) -> str:
    return "-" if v is None else f"{v:g}"


def expand(family: Family) -> list[Member]:
    """Every member of the family, in a fixed order (the product of the choices)."""
    dw = family.deployed_warheads
    if dw.symmetric:
        warhead_sets = [dict.fromkeys(family.parties, v) for v in dw.options]
    else:
        lists = [dw.per_party[p] for p in family.parties]
        warhead_sets = [
            dict(zip(family.parties, combo, strict=True)) for combo in itertools.product(*lists)
        ]
    sub_choices = list(itertools.product(*[s.options for s in family.sublimits]))
    sc = family.scope
    members: list[Member] = []
    grid = itertools.product(
        warhead_sets,
        sub_choices,
        sc.include_nonstrategic,
        sc.uk_fr_accounted,
        sc.missile_defence_limits,
        family.verification.items(),
    )
    for k, (wset, subs, nsw, ukfr, mdl, (vname, ver)) in enumerate(grid):
        limits: list[dict[str, Any]] = []
        if any(v is not None for v in wset.values()):
            limits.append(
                {
                    "id": "deployed_warheads",
                    "quantity": "deployed_warheads",
                    "per_party": dict(wset),
                }
            )
        for s, v in zip(family.sublimits, subs, strict=True):
            if v is not None:
                limits.append({"id": s.id, "quantity": s.quantity, "ceiling": v})
        if not limits:
            # A member with no limit at all is a political declaration only; it still needs
            # one limit in the treaty format, so every party is listed as exempt.
            limits.append(
                {
                    "id": "deployed_warheads",
                    "quantity": "deployed_warheads",
                    "per_party": dict.fromkeys(family.parties),
                }
            )
        provisions = tuple(
            name for name, on in zip(PROVISION_FLAGS, (ukfr, mdl), strict=True) if on
        )
        label = " ".join(f"{p}{_fmt(v)}" for p, v in wset.items())
        for s, v in zip(family.sublimits, subs, strict=True):
            if v is not None:
                label += f" {s.id}{_fmt(v)}"
        if nsw:
            label += " +NSW"
        if ukfr:
            label += " +UK/FR"
        if mdl:
            label += " +MD"
        label += f" ver:{vname}"
        counting = family.counting.model_copy(update={"include_nonstrategic": nsw})
        data = {
            "id": f"{family.id}-{k + 1}",
            "name": f"{family.name}: {label}",
            "kind": "user",
            "description": family.description,
            "entry_into_force": family.entry_into_force,
            "compliance_date": family.compliance_date,
            "baseline_year": family.baseline_year,
            "parties": list(family.parties),
            "counting": counting.model_dump(),
            "limits": limits,
            "verification": ver.model_dump(),
        }
        try:
            treaty = Treaty.model_validate(data)
        except ValidationError as exc:
            err = exc.errors()[0]
            raise InputError(
                str(err["msg"]).removeprefix("Value error, "),
                field=f"member {k + 1} ({label})",
            ) from exc
        choice = {
            "deployed_warheads": dict(wset),
            "sublimits": {s.id: v for s, v in zip(family.sublimits, subs, strict=True)},
            "include_nonstrategic": nsw,
            "uk_fr_accounted": ukfr,
            "missile_defence_limits": mdl,
            "verification": vname,
        }
        members.append(Member(treaty, provisions, choice, label))
    return members


#: The ``verification`` choice of a treaty whose regime is none of the family's.
OWN_REGIME = "(own)"
#: Fields of verification provisions that only describe: two regimes equal but for them
#: are the same regime.
_DESCRIPTIVE = frozenset({"notes", "inspection_types"})


def _final_ceilings(
    ev: TreatyEvaluation, limit_ids: list[str], parties: list[str]
) -> dict[str, float | None]:
    """Per party, the lowest final ceiling of the limits ``limit_ids`` that binds it
    (resolved for the evaluated postures), or None where none does."""
    out: dict[str, float | None] = {}
    for p in parties:
        pe = ev.parties.get(p)
        values = []
        if pe is not None and pe.is_party:
            for lid in limit_ids:
                rows = pe.schedule.get(lid) or []
                last = rows[-1] if rows else None
                if last is None or last.status in ("exempt", "not a party"):
                    continue
                if last.ceiling is not None:
                    values.append(float(last.ceiling.value))
        out[p] = min(values) if values else None
    return out


def treaty_choice(
    family: Family,
    treaty: Treaty,
    baseline: Baseline,
    *,
    provisions: tuple[str, ...] = (),
    evaluation: TreatyEvaluation | None = None,
) -> dict[str, Any]:
    """The choices of ``family`` that ``treaty`` makes, in the shape of :attr:`Member.choice`,
    so that a refused choice (a red line) applies to any treaty as it applies to a member.

    A limit whose id is ``deployed_warheads`` or the id of one of the family's sub-limits
    answers that choice; otherwise the treaty's limits on the choice's quantity do. The value
    per party is the lowest final ceiling binding it (freezes, cuts and sums resolved for
    the baseline's postures; None = not limited); a sub-limit's value is its common ceiling,
    or a text naming each party's when they differ. ``include_nonstrategic`` is the
    treaty's counting rule; ``uk_fr_accounted`` and ``missile_defence_limits`` are
    ``provisions`` (a treaty file carries none); ``verification`` names the family's regime
    equal to the treaty's (descriptions aside), else :data:`OWN_REGIME`. For a member's
    own treaty and provisions this gives back its choice.
    """
    ev = (
        evaluation
        if evaluation is not None
        else evaluate(treaty, dict(baseline.postures), context=baseline.context)
    )
    parties = list(family.parties)
    named = {"deployed_warheads"} | {s.id for s in family.sublimits}
    claimed = {lim.id for lim in treaty.limits if lim.id in named}

    def limits_for(choice_id: str, quantity: str) -> list[str]:
        if choice_id in claimed:
            return [choice_id]
        return [
            lim.id for lim in treaty.limits if lim.quantity == quantity and lim.id not in claimed
        ]

    subs: dict[str, Any] = {}
    for s in family.sublimits:
        per = _final_ceilings(ev, limits_for(s.id, s.quantity), parties)
        values = set(per.values())
        subs[s.id] = (
            values.pop() if len(values) == 1 else " ".join(f"{p}{_fmt(v)}" for p, v in per.items())
        )
    regime = treaty.verification.model_dump(exclude=set(_DESCRIPTIVE))
    vname = next(
        (
            name
            for name, v in family.verification.items()
            if v.model_dump(exclude=set(_DESCRIPTIVE)) == regime
        ),
        OWN_REGIME,
    )
    return {
        "deployed_warheads": _final_ceilings(
            ev, limits_for("deployed_warheads", "deployed_warheads"), parties
        ),
        "sublimits": subs,
        "include_nonstrategic": treaty.counting.include_nonstrategic,
        "uk_fr_accounted": "uk_fr_accounted" in provisions,
        "missile_defence_limits": "missile_defence_limits" in provisions,
        "verification": vname,
    }


def list_families() -> list[str]:
    """Names of the bundled families."""
    return sorted(p.stem for p in FAMILY_DIR.glob("*.yaml"))


def family_from_mapping(data: object, *, source: str = "<family>") -> Family:
    """Validate a parsed family document; errors name the source and field."""
    if not isinstance(data, dict):
        raise InputError("a family file must be a mapping", file=source, expected="a YAML mapping")
    try:
        return Family.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(p) for p in err["loc"]) or "(top level)"
        msg = str(err["msg"]).removeprefix("Value error, ")
        raise InputError(msg, file=source, field=loc) from exc


def load_family(name_or_path: str | Path) -> Family:
    """A bundled family by name (``trilateral-ceilings``) or a family YAML file by path."""
    text = str(name_or_path)
    path = Path(text)
    if not (text.endswith((".yaml", ".yml")) or path.exists() or "/" in text):
        if text not in list_families():
            raise InputError(
                f"unknown family {text!r}",
                field="family",
                expected="one of " + ", ".join(list_families()) + " or a YAML file path",
            )
        path = FAMILY_DIR / f"{text}.yaml"
    return family_from_mapping(load_yaml_file(path), source=str(path))


@dataclass(frozen=True)
class FamilyAnalysis:
    """A family's members, their outcomes and the bargaining report with sensitivities."""

    family: Family
    members: tuple[Member, ...]
    result: NegotiationResult
    sensitivity: Sensitivity
    baseline: Baseline
    no_deal: TreatyOutcome

    def solution_members(self) -> dict[str, dict[str, Any] | None]:
        """Per solution method, the chosen member (its label and ceilings) or None."""
        out: dict[str, dict[str, Any] | None] = {}
        for s in self.result.report.solutions:
            if s.index is None:
                out[s.method] = None
                continue
            m = self.members[s.index]
            out[s.method] = {
                "index": s.index,
                "label": m.label,
                "ceilings": m.ceilings,
                "choice": m.choice,
                "utilities": None
                if s.utilities is None
                else dict(zip(self.result.report.parties, map(float, s.utilities), strict=True)),
            }
        return out

    def closest_to_agreement(self) -> dict[str, Any] | None:
        """The member whose worst-off party gains most relative to no deal (max-min gain),
        with each party's gain: where the ZOPA is empty, how far apart the parties are and
        who blocks (the parties whose gain is negative)."""
        u = self.result.utilities.matrix
        if u.size == 0:
            return None
        parties = list(self.result.report.parties)
        k = int(u.min(axis=0).argmax())
        gains = dict(zip(parties, map(float, u[:, k]), strict=True))
        return {
            "index": k,
            "label": self.members[k].label,
            "ceilings": self.members[k].ceilings,
            "utilities": gains,
            "short": {p: g for p, g in gains.items() if g <= 0},
        }

    def to_dict(self) -> dict[str, Any]:
        rep = self.result.report
        u = self.result.utilities.matrix
        return {
            "closest_to_agreement": self.closest_to_agreement(),
            "family": self.family.id,
            "name": self.family.name,
            "n_members": len(self.members),
            "parties": list(rep.parties),
            "no_deal": self.no_deal.model_dump(),
            "baseline": self.baseline.to_dict(),
            "zopa": [
                {
                    "index": int(k),
                    "label": self.members[k].label,
                    "ceilings": self.members[k].ceilings,
                    "utilities": dict(zip(rep.parties, map(float, u[:, k]), strict=True)),
                }
                for k in rep.zopa
            ],
            "pareto": [int(k) for k in rep.pareto],
            "solutions": self.solution_members(),
            "bargaining": rep.to_dict(),
            "members": [m.to_dict() for m in self.members],
            "utilities": u.tolist(),
            "sensitivity": self.sensitivity.to_dict(),
        }


def analyse_family(
    family: Family,
    baseline: Baseline,
    profiles: Mapping[str, Profile],
    rel_step: float = 0.1,
) -> FamilyAnalysis:
    """Expand the family, evaluate every member, solve the bargaining problem and measure the
    sensitivity of each solution to every profile weight (moved by ``rel_step``)."""
    members = expand(family)
    no_deal = no_deal_outcome(baseline)
    outcomes = treaty_outcomes(
        [m.treaty for m in members],
        baseline,
        provisions=[m.provisions for m in members],
        labels=[m.label for m in members],
    )
    result = negotiate(profiles, outcomes, no_deal)
    sens = profile_sensitivity(profiles, outcomes, no_deal, rel_step=rel_step)
    return FamilyAnalysis(family, tuple(members), result, sens, baseline, no_deal)
