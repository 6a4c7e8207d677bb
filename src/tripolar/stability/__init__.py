"""First-strike stability: Kent-Thaler index and tripolar's three-party extension."""
