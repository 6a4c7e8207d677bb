"""The web app (``tripolar serve``): FastAPI over the same Python API as the CLI.

Pages are rendered on the server with Jinja2; the little JavaScript there is lives in
``static/`` (no inline script, no CDN, Plotly served from the installed ``plotly``
package). JSON endpoints validate their bodies with the same pydantic models as the files.
:func:`tripolar.web.app.create_app` builds the application.
"""

from __future__ import annotations

from typing import Any

__all__ = ["create_app"]


def create_app(store: str | None = None, **kwargs: Any) -> Any:
    """The FastAPI app on the store at ``store`` (:func:`tripolar.web.app.create_app`)."""
    from tripolar.web.app import create_app as _create

    return _create(store, **kwargs)
