"""One evaluation context: the inputs every model of one evaluation shares.

An :class:`EvaluationContext` carries the data directory (``None``: the bundled dataset),
the year of the forces, the Monte Carlo seed and sample count, the force-building rule
under a treaty (:data:`tripolar.treaty.force_cut.RULES`, checked there), an optional
alert-levels file and alert-levels entries fixed for this evaluation (``alert_overrides``:
what a sweep point or a what-if changes, applied over the bundled levels and the file by
:func:`tripolar.exchange.alert.alert_levels_for`). It is passed explicitly to every model
that needs one of them (counting and compliance, stability, verification, negotiation), so
that no model reads the bundled data behind the caller's back.

The context builds the dataset, the postures and the alert levels once and keeps them for
its own life only; a changed input is a new context (the object is frozen), so no cache
outlives a change of inputs. The dataset itself is cached by the content hash of its files
(:func:`tripolar.data.loader.load_dataset`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from tripolar.errors import InputError

if TYPE_CHECKING:
    from tripolar.data.loader import Dataset
    from tripolar.forces.records import Posture

T = TypeVar("T")

__all__ = ["DEFAULT_RULE", "DEFAULT_SAMPLES", "DEFAULT_SEED", "DEFAULT_YEAR", "EvaluationContext"]

DEFAULT_YEAR = 2025
DEFAULT_SEED = 1
#: Monte Carlo samples of one evaluation (medians and 5-95% bands); ``tripolar stability``
#: and ``tripolar assess`` use the same default.
DEFAULT_SAMPLES = 1000
DEFAULT_RULE = "proportional"
#: The largest sample count one evaluation accepts (memory stays flat: samples are
#: evaluated in chunks, but time grows linearly).
MAX_SAMPLES = 1_000_000


@dataclass(frozen=True)
class EvaluationContext:
    """The shared inputs of one evaluation (data, year, seed, samples, rule, alert levels).

    ``alert_overrides`` fixes alert-levels entries for this evaluation: ``(path, value)``
    pairs, ``path`` dotted as in the alert-levels file (``parameters.reliability``,
    ``parameters.hardness_psi.silo``, ``parameters.cep_scale``,
    ``postures.generated.CN.demated``), each entry set to ``value = low = high`` (no longer
    sampled). The pairs are stored sorted by path (each path once, finite values); whether a
    path names an entry is checked where they are applied
    (:func:`tripolar.exchange.alert.alert_levels_for`).
    """

    data_dir: Path | None = None
    year: int = DEFAULT_YEAR
    seed: int = DEFAULT_SEED
    samples: int = DEFAULT_SAMPLES
    rule: str = DEFAULT_RULE
    alert_file: Path | None = None
    alert_overrides: tuple[tuple[str, float], ...] = ()
    _memo: dict[str, Any] = field(
        default_factory=dict, init=False, repr=False, compare=False, hash=False
    )

    def __post_init__(self) -> None:
        if self.data_dir is not None and not isinstance(self.data_dir, Path):
            object.__setattr__(self, "data_dir", Path(self.data_dir))
        if self.alert_file is not None and not isinstance(self.alert_file, Path):
            object.__setattr__(self, "alert_file", Path(self.alert_file))
        object.__setattr__(self, "alert_overrides", _overrides(self.alert_overrides))
        for name, value, low, high in (
            ("seed", self.seed, 0, 2**63 - 1),
            ("samples", self.samples, 1, MAX_SAMPLES),
            ("year", self.year, 1945, 2100),
        ):
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise InputError(
                    f"invalid {name} {value!r}",
                    field=name,
                    expected=f"a whole number from {low} to {high}",
                )

    def with_(self, **changes: Any) -> EvaluationContext:
        """A new context with ``changes`` (its caches start empty)."""
        return replace(self, **changes)

    # -- what the context builds, once per context ----------------------------------------

    def dataset(self) -> Dataset:
        """The dataset (bundled, overlaid with ``data_dir`` if given)."""
        if "dataset" not in self._memo:
            from tripolar.data.loader import load_dataset

            self._memo["dataset"] = load_dataset(self.data_dir)
        ds: Dataset = self._memo["dataset"]
        return ds

    def posture(self, party: str, year: int | None = None) -> Posture:
        """``party``'s posture of ``year`` (default: the context's) from this context's data."""
        y = self.year if year is None else int(year)
        key = f"posture:{party}:{y}"
        if key not in self._memo:
            from tripolar.forces.build import build_posture

            self._memo[key] = build_posture(party, y, data_dir=self.data_dir)
        p: Posture = self._memo[key]
        return p

    def postures(self, parties: tuple[str, ...] | list[str]) -> dict[str, Posture]:
        """The postures of ``parties`` (each built once per context)."""
        return {p: self.posture(p) for p in parties}

    def cached(self, key: str, build: Callable[[], T]) -> T:
        """``build()`` once per context: how higher layers keep what they derive from it
        (alert levels, compliant forces) without a cache that outlives the inputs."""
        if key not in self._memo:
            self._memo[key] = build()
        value: T = self._memo[key]
        return value

    def to_dict(self) -> dict[str, Any]:
        """The inputs, as recorded with a run and printed with a result
        (``alert_overrides`` only when the context has any)."""
        out: dict[str, Any] = {
            "data": None if self.data_dir is None else str(self.data_dir),
            "dataset_hash": self.dataset().content_hash,
            "year": self.year,
            "seed": self.seed,
            "samples": self.samples,
            "rule": self.rule,
            "alert_levels": None if self.alert_file is None else str(self.alert_file),
        }
        if self.alert_overrides:
            out["alert_overrides"] = dict(self.alert_overrides)
        return out


def _overrides(raw: object) -> tuple[tuple[str, float], ...]:
    """``raw`` (``(path, value)`` pairs) checked and sorted by path, values as floats."""
    items = raw
    if not isinstance(items, list | tuple):
        raise InputError(
            "invalid alert_overrides", field="alert_overrides", expected="(path, value) pairs"
        )
    out: dict[str, float] = {}
    for item in items:
        if not (isinstance(item, list | tuple) and len(item) == 2):
            raise InputError(
                f"invalid alert override {item!r}",
                field="alert_overrides",
                expected="(path, value) pairs",
            )
        path, value = item
        if not isinstance(path, str) or not path:
            raise InputError(
                f"invalid alert override path {path!r}",
                field="alert_overrides",
                expected="a dotted path of the alert-levels file",
            )
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            raise InputError(
                f"invalid value {value!r}",
                field=f"alert_overrides.{path}",
                expected="a finite number",
            )
        if path in out:
            raise InputError(
                "the same entry is fixed twice",
                field=f"alert_overrides.{path}",
                expected="each path once",
            )
        out[path] = float(value)
    return tuple(sorted(out.items()))
