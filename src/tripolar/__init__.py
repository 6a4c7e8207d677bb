"""tripolar: an open workbench for trilateral nuclear arms control.

The Python API mirrors the command line::

    import tripolar

    ds = tripolar.load_forces()                      # the cited dataset (pandas tables)
    us = tripolar.build_posture("US", 2025)          # a posture from the dataset
    t = tripolar.Treaty.from_yaml("my-treaty.yaml")  # or tripolar.load_treaty("new-start")
    t.count(us)                                      # accountable numbers per limit
    tripolar.evaluate(t)                             # ceilings, headroom, compliance
    tripolar.upload_potential(t, us)                 # same order: treaty, then posture
    tripolar.check_dataset()                         # the checks of `tripolar data check`
    tripolar.assess()                                # every trilateral proposal side by side
    ctx = tripolar.EvaluationContext(data_dir="my-data", samples=500, seed=7)
    tripolar.assess(ctx)                             # the same, on other inputs

Results are objects with ``to_dict()`` (what ``--json`` prints) and ``to_frame()``
(pandas), and render as tables in Jupyter.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = [
    "EvaluationContext",
    "Posture",
    "Range",
    "Treaty",
    "__version__",
    "assess",
    "build_posture",
    "check_dataset",
    "evaluate",
    "load_forces",
    "load_posture",
    "load_treaty",
    "upload_potential",
]

_LAZY = {
    "Posture": ("tripolar.forces", "Posture"),
    "build_posture": ("tripolar.forces", "build_posture"),
    "load_posture": ("tripolar.forces", "load_posture"),
    "Range": ("tripolar.ranges", "Range"),
    "Treaty": ("tripolar.treaty.schema", "Treaty"),
    "load_treaty": ("tripolar.treaty.io", "load_treaty"),
    "evaluate": ("tripolar.treaty.compliance", "evaluate"),
    "upload_potential": ("tripolar.treaty.upload", "upload_potential"),
    "assess": ("tripolar.assessment", "assess"),
    "EvaluationContext": ("tripolar.context", "EvaluationContext"),
    "check_dataset": ("tripolar.data.check", "check_dataset"),
    "load_forces": ("tripolar.data.loader", "load_dataset"),
}

if TYPE_CHECKING:
    from tripolar.assessment import assess
    from tripolar.context import EvaluationContext
    from tripolar.data.check import check_dataset
    from tripolar.data.loader import load_dataset as load_forces
    from tripolar.forces import Posture, build_posture, load_posture
    from tripolar.ranges import Range
    from tripolar.treaty.compliance import evaluate
    from tripolar.treaty.io import load_treaty
    from tripolar.treaty.schema import Treaty
    from tripolar.treaty.upload import upload_potential


def __getattr__(name: str) -> Any:
    # Imported on first use, so that `import tripolar` and the CLI start fast.
    if name in _LAZY:
        import importlib

        module, attr = _LAZY[name]
        value = getattr(importlib.import_module(module), attr)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'tripolar' has no attribute {name!r}")
