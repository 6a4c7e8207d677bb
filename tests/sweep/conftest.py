"""A tiny sweep for the tests: 8 points (2 x 2 ceilings x 2 hardnesses), 20 samples."""

from __future__ import annotations

from pathlib import Path

import pytest

TINY = """\
name: tiny
base_treaty: tri-new-start
samples: 20
seed: 3
chunk_points: {chunk}
design: {{kind: grid}}
axes:
  - {{name: warheads_us_ru, kind: ceiling, limit: deployed_warheads, parties: [US, RU],
      values: [800, 1550]}}
  - {{name: warheads_cn, kind: ceiling, limit: deployed_warheads, parties: [CN],
      values: [300, 1000]}}
  - {{name: silo_hardness_psi, kind: silo_hardness_psi, values: [1000, 4000]}}
"""


def tiny_text(chunk: int = 2) -> str:
    return TINY.format(chunk=chunk)


@pytest.fixture
def tiny_file(tmp_path: Path) -> Path:
    p = tmp_path / "tiny.yaml"
    p.write_text(tiny_text(), encoding="utf-8")
    return p
