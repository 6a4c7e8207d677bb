"""The hot kill-probability kernel of the Monte Carlo (plain NumPy, float64)."""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from tripolar.exchange.effects import LETHAL_RADIUS_CONSTANT_NMI, METRES_PER_NMI

_LN2 = math.log(2.0)


def kill_probability_matrix(
    yield_kt: npt.ArrayLike,
    cep_m: npt.ArrayLike,
    reliability: npt.ArrayLike,
    hardness_psi: npt.ArrayLike,
    *,
    constant_nmi: float = LETHAL_RADIUS_CONSTANT_NMI,
) -> npt.NDArray[np.float64]:
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
    Float64 throughout.
    """
    y = np.asarray(yield_kt, dtype=np.float64)
    cep = np.asarray(cep_m, dtype=np.float64)
    r = np.asarray(reliability, dtype=np.float64)
    h = np.asarray(hardness_psi, dtype=np.float64)
    scale = -_LN2 * (METRES_PER_NMI * constant_nmi) ** 2
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        # Weapon factor -ln2 (1852 c)^2 (Y/1000)^(2/3) / CEP^2 and target factor H^(-2/3).
        weapon_term = scale * np.power(y / 1000.0, 2.0 / 3.0) / (cep * cep)
        target_term = np.power(h, -2.0 / 3.0)
        # R (1 - exp(z)) = -R expm1(z): expm1 keeps precision when the kill probability is
        # small. expm1 runs only over the weapon x target broadcast (the reliability may add
        # sample axes that need no new exponentials); the result is scaled in place when it
        # already has the full shape, since at large sizes the kernel is memory-bound.
        x = np.multiply(np.expand_dims(weapon_term, -1), np.expand_dims(target_term, -2))
        np.expm1(x, out=x)
        w = np.expand_dims(-r, -1)
        if x.shape == np.broadcast_shapes(x.shape, w.shape):
            np.multiply(x, w, out=x)
            return np.asarray(x, dtype=np.float64)
        return np.asarray(np.multiply(x, w), dtype=np.float64)


__all__ = ["kill_probability_matrix"]
