"""The bundled force dataset: sourced, dated figures with low/high bands.

``load_dataset()`` returns the validated tables; ``check_dataset()`` runs the cross-table
checks behind ``tripolar data check``. See ``docs/data.md`` for the tables and grades.
"""

from tripolar.data.check import CheckReport, Problem, check_dataset
from tripolar.data.loader import Dataset, bundled_dir, dataset_signature, load_dataset

__all__ = [
    "CheckReport",
    "Dataset",
    "Problem",
    "bundled_dir",
    "check_dataset",
    "dataset_signature",
    "load_dataset",
]
