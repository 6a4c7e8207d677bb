"""The report as PDF: the HTML report of :mod:`tripolar.report.html` laid out by WeasyPrint.

WeasyPrint (PyPI) draws with Pango: on Debian/Ubuntu it needs the system packages
``libpango-1.0-0`` and ``libpangoft2-1.0-0`` (and a font, e.g. ``fonts-dejavu-core``);
``.ci/run`` installs them when missing. The PDF has the content of the HTML page, page
numbers and the run's version, data hash and seed in every page's footer.
"""

from __future__ import annotations

from tripolar.errors import InputError

__all__ = ["html_to_pdf"]

_SYSTEM_LIBS = "libpango-1.0-0 libpangoft2-1.0-0 (apt-get install libpango-1.0-0 libpangoft2-1.0-0)"


def html_to_pdf(html: str) -> bytes:
    """The PDF bytes of the self-contained HTML page ``html`` (no external assets)."""
    try:
        from weasyprint import HTML
    except OSError as exc:
        # WeasyPrint loads Pango with ctypes at import time; a missing library is an OSError
        raise InputError(
            f"cannot make a PDF: WeasyPrint's system libraries are missing ({exc})",
            field="--out",
            expected=_SYSTEM_LIBS + ", or an .html output",
        ) from exc
    pdf = HTML(string=html, base_url=None).write_pdf()
    assert pdf is not None
    return bytes(pdf)
