"""First-strike stability: Kent-Thaler index and tripolar's three-party extension."""

# Registers the ``stability`` column of ``tripolar assess`` (no import cycle: the column
# imports tripolar.assess, which imports only forces and treaty).
from tripolar.stability import assess_column as assess_column
