"""A checker for quantitative claims about nuclear arsenals in English prose.

``check_text(text)`` finds claims such as "the United States has deployed about 1,700
strategic warheads, slightly more than Russia" and checks each against the bundled
dataset: ``supported``, ``outdated``, ``contradicted`` or ``not checkable`` with the
reason. The grammar and tolerance rules are in ``docs/claims.md``.
"""

from tripolar.claims.check import (
    MAX_TEXT_BYTES,
    VERDICTS,
    ClaimReport,
    ClaimResult,
    check_text,
    parse_as_of,
    read_text,
)
from tripolar.claims.parse import ParsedClaim, parse_text

__all__ = [
    "MAX_TEXT_BYTES",
    "VERDICTS",
    "ClaimReport",
    "ClaimResult",
    "ParsedClaim",
    "check_text",
    "parse_as_of",
    "parse_text",
    "read_text",
]
