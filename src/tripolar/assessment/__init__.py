"""The assessment: every area's typed column for each proposal, in one evaluation context.

``tripolar.assess()`` is :func:`tripolar.assessment.core.assess`.
"""

from __future__ import annotations

from tripolar.assessment.core import COLUMNS, Assessment, ProposalAssessment, assess

__all__ = ["COLUMNS", "Assessment", "ProposalAssessment", "assess"]
