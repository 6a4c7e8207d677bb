"""Array-backend seam and the hot kill-probability kernel of the Monte Carlo.

The kernel :func:`kill_probability_matrix` is written against a tiny :class:`ArrayBackend`
interface (the handful of array operations it needs), so that a JAX or PyTorch backend can be
added later by implementing that interface, without touching the models. Only NumPy is
implemented; :func:`get_backend` names the available backends.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from tripolar.errors import InputError
from tripolar.exchange.effects import LETHAL_RADIUS_CONSTANT_NMI, METRES_PER_NMI

_LN2 = math.log(2.0)


@runtime_checkable
class ArrayBackend(Protocol):
    """The array operations the weapon-effects kernel uses (elementwise unless stated)."""

    @property
    def name(self) -> str:
        """Short name of the backend (``"numpy"``)."""
        ...

    def asarray(self, x: Any) -> Any:
        """Convert to a float64 array of this backend."""
        ...

    def exp(self, x: Any) -> Any: ...

    def expm1(self, x: Any) -> Any: ...

    def log1p(self, x: Any) -> Any: ...

    def power(self, x: Any, exponent: Any) -> Any: ...

    def sum(self, x: Any, axis: int | tuple[int, ...] | None = None) -> Any: ...

    def expand_dims(self, x: Any, axis: int) -> Any: ...

    def to_numpy(self, x: Any) -> npt.NDArray[np.float64]:
        """Return a NumPy float64 array (a copy or a view) of a backend array."""
        ...

    def outer_expm1(self, weapon_term: Any, target_term: Any, weight: Any) -> Any:
        """``weight[..., :, None] * expm1(weapon_term[..., :, None] * target_term[..., None, :])``.

        The fused inner step of the kernel; a backend may implement it in place (NumPy) or
        compiled (a future JAX ``jit``), the result must equal the composition of the ops above.
        """
        ...


@dataclass(frozen=True)
class NumpyBackend:
    """The NumPy implementation of :class:`ArrayBackend`.

    ``numpy`` computes in float64. ``numpy32`` computes in float32: about five times as many
    terms per second (NumPy's SIMD exponential), with a relative error of about 1e-7 on each
    kill probability, far below the uncertainty of any input; use it for large sweeps.
    """

    name: str = "numpy"
    dtype: type = np.float64

    def asarray(self, x: Any) -> Any:
        return np.asarray(x, dtype=self.dtype)

    def exp(self, x: Any) -> Any:
        return np.exp(x)

    def expm1(self, x: Any) -> Any:
        return np.expm1(x)

    def log1p(self, x: Any) -> Any:
        return np.log1p(x)

    def power(self, x: Any, exponent: Any) -> Any:
        return np.power(x, exponent)

    def sum(self, x: Any, axis: int | tuple[int, ...] | None = None) -> Any:
        return np.sum(x, axis=axis)

    def expand_dims(self, x: Any, axis: int) -> Any:
        return np.expand_dims(x, axis)

    def to_numpy(self, x: Any) -> npt.NDArray[np.float64]:
        return np.asarray(x, dtype=np.float64)

    def outer_expm1(self, weapon_term: Any, target_term: Any, weight: Any) -> Any:
        a = np.expand_dims(weapon_term, -1)
        b = np.expand_dims(target_term, -2)
        w = np.expand_dims(weight, -1)
        # expm1 runs only over the broadcast of the weapon and target terms (the weight may add
        # sample axes that need no new exponentials); the result is then scaled in place when
        # it already has the full shape, since at large sizes the kernel is memory-bound.
        x = np.multiply(a, b)
        np.expm1(x, out=x)
        if x.shape == np.broadcast_shapes(x.shape, w.shape):
            np.multiply(x, w, out=x)
            return x
        return np.multiply(x, w)


_BACKENDS: dict[str, ArrayBackend] = {
    "numpy": NumpyBackend(),
    "numpy32": NumpyBackend(name="numpy32", dtype=np.float32),
}


def available_backends() -> tuple[str, ...]:
    """Names accepted by :func:`get_backend`."""
    return tuple(sorted(_BACKENDS))


def get_backend(name: str | ArrayBackend = "numpy") -> ArrayBackend:
    """Return the array backend called ``name`` (an :class:`ArrayBackend` passes through)."""
    if isinstance(name, ArrayBackend):
        return name
    try:
        return _BACKENDS[name]
    except KeyError:
        raise InputError(
            f"unknown array backend {name!r}",
            field="backend",
            expected=" or ".join(available_backends()),
        ) from None


def kill_probability_matrix(
    yield_kt: npt.ArrayLike,
    cep_m: npt.ArrayLike,
    reliability: npt.ArrayLike,
    hardness_psi: npt.ArrayLike,
    *,
    constant_nmi: float = LETHAL_RADIUS_CONSTANT_NMI,
    backend: str | ArrayBackend = "numpy",
) -> Any:
    """Terminal kill probability of one warhead of each weapon type on each target: ``(..., W, T)``.

    ``P[..., w, t] = R_w * (1 - 0.5^((LR_wt / CEP_w)^2))`` with the closed-form lethal radius
    ``LR = 1852 c (Y_kt/1000)^(1/3) / H^(1/3)`` (Davis & Schilling 1973; Tsipis 1975; see
    :func:`tripolar.exchange.effects.lethal_radius_m` for the constant ``c``), i.e.
    ``(LR/CEP)^2 = (1852 c)^2 (Y_kt/1000)^(2/3) / (CEP^2 H^(2/3))``, factorised into a weapon
    term times a target term so that each of the ``S*W*T`` terms costs one multiplication, one
    ``expm1`` and one multiplication.

    Shapes: the weapon arrays ``yield_kt``, ``cep_m`` and ``reliability`` have the weapon axis
    last (``(W,)`` or ``(S, W)``), ``hardness_psi`` has the target axis last (``(T,)`` or
    ``(S, T)``); any leading axes are sample axes and broadcast together, so ``(W,)``, ``(W,)``,
    ``(S, W)`` and ``(T,)`` give ``(S, W, T)``. To include a defence, pass
    ``reliability * p_pen`` as the reliability. Units: kt, m, probability, psi.

    No input checks (this is the Monte Carlo's inner kernel): validate with
    :func:`tripolar.exchange.effects.validate_effect_inputs` at the edge. ``CEP = 0`` gives
    ``R`` (certain hit); ``CEP = 0`` together with an infinite hardness is undefined (NaN).
    Returns an array of the chosen backend (``backend.to_numpy`` converts it).
    """
    xp = get_backend(backend)
    y = xp.asarray(yield_kt)
    cep = xp.asarray(cep_m)
    r = xp.asarray(reliability)
    h = xp.asarray(hardness_psi)
    scale = -_LN2 * (METRES_PER_NMI * constant_nmi) ** 2
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        # Weapon factor -ln2 (1852 c)^2 (Y/1000)^(2/3) / CEP^2 and target factor H^(-2/3).
        weapon_term = xp.asarray(scale * xp.power(y / 1000.0, 2.0 / 3.0) / (cep * cep))
        target_term = xp.asarray(xp.power(h, -2.0 / 3.0))
        # R (1 - exp(z)) = -R expm1(z): expm1 keeps precision when the kill probability is small.
        return xp.outer_expm1(weapon_term, target_term, -r)


__all__ = [
    "ArrayBackend",
    "NumpyBackend",
    "available_backends",
    "get_backend",
    "kill_probability_matrix",
]
