"""Verification: inspection statistics, RFC 6962 Merkle trees and the declaration escrow.

Modules: :mod:`~tripolar.verification.inspection` (how many inspections, what clean
inspections tell you), :mod:`~tripolar.verification.merkle` (RFC 6962 tree hash and
proofs), :mod:`~tripolar.verification.escrow` (commit, reveal, inspect and extend a
declaration, after Philippe, Glaser & Felten 2019) and
:mod:`~tripolar.verification.bulletin` (append-only public record per party),
:mod:`~tripolar.verification.simulate` (cheating and inspection Monte Carlo). The
verification column of the assessment is :mod:`tripolar.assessment.verification`.
"""
