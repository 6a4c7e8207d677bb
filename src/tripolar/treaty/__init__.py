"""Treaties: the format (schema), counting rules, compliance and upload potential."""

from tripolar.treaty.compliance import LimitResult, TreatyEvaluation, evaluate
from tripolar.treaty.counting import Count, count_posture, count_quantity
from tripolar.treaty.io import builtin_ids, builtin_treaties, load_treaty, load_treaty_file
from tripolar.treaty.schema import Treaty, VerificationProvisions, treaty_json_schema

__all__ = [
    "Count",
    "LimitResult",
    "Treaty",
    "TreatyEvaluation",
    "VerificationProvisions",
    "builtin_ids",
    "builtin_treaties",
    "count_posture",
    "count_quantity",
    "evaluate",
    "load_treaty",
    "load_treaty_file",
    "treaty_json_schema",
]
