"""The web app (``tripolar serve``): FastAPI over the same Python API as the CLI.

Pages are rendered on the server with Jinja2; the little JavaScript there is lives in
``static/`` (no inline script, no CDN, Plotly served from the installed ``plotly``
package). JSON endpoints validate their bodies with the same pydantic models as the files.
:func:`tripolar.web.app.create_app` builds the application.
"""

from __future__ import annotations

__all__ = ["create_app"]


def create_app(store: str | None = None, **kwargs: object):  # type: ignore[no-untyped-def]
    """The FastAPI application on the store at ``store`` (see :func:`tripolar.web.app.create_app`)."""
    from tripolar.web.app import create_app as _create

    return _create(store, **kwargs)  # type: ignore[arg-type]
