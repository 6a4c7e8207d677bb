"""Bands computed together equal bands computed one by one."""

from __future__ import annotations

import numpy as np
import pytest

from tripolar.exchange.montecarlo import Band


@pytest.mark.parametrize("n", [1, 2, 7, 100, 1001])
def test_of_many_is_of_each(n: int) -> None:
    rng = np.random.default_rng(n)
    xs = [rng.standard_normal(n) * 10**k for k in range(-3, 4)] + [np.zeros(n), np.ones(n)]
    assert Band.of_many(xs) == [Band.of(x) for x in xs]
    assert Band.of_many([]) == []
