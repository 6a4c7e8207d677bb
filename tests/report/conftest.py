"""One small report (two treaties, 100 samples) shared by the report tests."""

from __future__ import annotations

import pytest

from report.page import TREATIES, small_context
from tripolar.report.html import Report, collect_report, render_html
from tripolar.treaty import load_treaty


@pytest.fixture(scope="session")
def small_report() -> Report:
    return collect_report(small_context(), [load_treaty(t) for t in TREATIES])


@pytest.fixture(scope="session")
def small_html(small_report: Report) -> str:
    return render_html(small_report)
