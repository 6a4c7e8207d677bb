"""The PDF report: pages exist, are not blank, and carry the HTML's content.

Rendered to PNG with poppler's ``pdftoppm`` and to text with ``pdftotext`` (Debian package
``poppler-utils``, installed by ``.ci/run``). Where poppler is missing the tests are skipped,
except under ``TRIPOLAR_REQUIRE_PDF_TOOLS=1`` (set by ``.ci/run``), where they fail.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from report.page import TREATIES, parse
from tripolar import __version__
from tripolar.report.html import Report
from tripolar.report.pdf import html_to_pdf


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        if os.environ.get("TRIPOLAR_REQUIRE_PDF_TOOLS") == "1":
            pytest.fail(f"{name} is missing (apt-get install poppler-utils)")
        pytest.skip(f"{name} is missing (apt-get install poppler-utils)")
    return path


@pytest.fixture(scope="module")
def pdf_file(small_html: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("pdf") / "report.pdf"
    out.write_bytes(html_to_pdf(small_html))
    return out


def _pages(pdf: Path, folder: Path) -> list[Path]:
    subprocess.run(
        [_tool("pdftoppm"), "-r", "40", "-gray", "-png", str(pdf), str(folder / "p")],
        check=True,
        capture_output=True,
    )
    return sorted(folder.glob("p-*.png"))


def _body_ink(png: Path) -> tuple[float, float]:
    """Pixel variance of the page and the share of dark pixels above the footer (the
    bottom tenth of the page, where every page has its footer line)."""
    from PIL import Image

    px = np.asarray(Image.open(png).convert("L"), dtype=np.float64)
    # A4 at 40 dpi: about 331 x 468 pixels, portrait
    assert px.shape[0] > px.shape[1] > 300
    body = px[: int(px.shape[0] * 0.9)]
    return float(px.var()), float((body < 128).mean())


def test_pdf_pages_exist_and_are_not_blank(pdf_file: Path, tmp_path: Path) -> None:
    assert pdf_file.read_bytes().startswith(b"%PDF-")
    pages = _pages(pdf_file, tmp_path)
    # forces (three parties), two treaties each from a new page, figures and sources
    assert len(pages) >= 6
    for page in pages:
        var, ink = _body_ink(page)
        assert var > 20.0 and 0.0003 < ink < 0.5, (page.name, var, ink)


def test_blank_page_fails_the_check(tmp_path: Path) -> None:
    """The check above can fail: an empty document's page has no ink above its footer."""
    pdf = tmp_path / "blank.pdf"
    pdf.write_bytes(html_to_pdf("<!DOCTYPE html><html><body></body></html>"))
    (page,) = _pages(pdf, tmp_path)
    var, ink = _body_ink(page)
    assert ink == 0.0 and var < 20.0


def test_pdf_has_the_content_of_the_html(
    pdf_file: Path, small_html: str, small_report: Report
) -> None:
    text = subprocess.run(
        [_tool("pdftotext"), "-layout", str(pdf_file), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert f"tripolar {__version__}" in text
    assert small_report.dataset_hash[:12] in text
    for t in TREATIES:
        assert f"({t})" in text
    page = parse(small_html)
    for key in (
        "count/tri-equal-1000/US/deployed_warheads",
        "count/tri-equal-1000/CN/deployed_launchers",
        "count/new-start/RU/deployed_launchers",
        "force/US/us-mmiii/launchers_deployed",
        "stability/tri-equal-1000/least_stable/r",
    ):
        assert page.nums[key]["text"] in text, key
    for sid in page.bib_ids:
        assert sid in text
