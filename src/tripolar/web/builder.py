"""The treaty builder: a form over the whole treaty format, and the endpoints behind it.

The page renders every field of a treaty (built in or uploaded) from the treaty file's
model; ``static/builder.js`` reads the form back into the same JSON and posts it to
``/api/treaty/check``, which validates it exactly as the command line validates a file
(:func:`tripolar.treaty.io.treaty_from_mapping`, the same message) and answers the counts
and compliance per party and the YAML text.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import Body, FastAPI, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile as StarletteUpload
from starlette.exceptions import HTTPException

from tripolar.errors import InputError
from tripolar.treaty.schema import Treaty
from tripolar.web import service

#: Largest treaty file or form body accepted (real treaties are a few kilobytes).
MAX_TREATY_BYTES = 1024 * 1024
#: The source name in messages about a treaty coming from the builder's form.
FORM_SOURCE = "form"


def treaty_yaml(treaty: Treaty) -> str:
    """The treaty as the YAML file ``tripolar count --treaty FILE`` reads."""
    import yaml

    return yaml.safe_dump(
        treaty.model_dump(mode="json", exclude_defaults=True), sort_keys=False, allow_unicode=True
    )


def treaty_from_json_text(text: str, *, source: str) -> Treaty:
    """A treaty sent as JSON text (a form field), validated as the CLI validates a file."""
    from tripolar.treaty.io import treaty_from_mapping

    if len(text.encode("utf-8")) > MAX_TREATY_BYTES:
        raise InputError("treaty above 1 MiB", file=source, expected="a treaty of at most 1 MiB")
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise InputError("not valid JSON", file=source, expected="a treaty as JSON") from exc
    return treaty_from_mapping(data, source=source)


async def treaty_from_upload(file: StarletteUpload) -> Treaty:
    """An uploaded treaty YAML file, validated as the CLI validates it (named by its file)."""
    from tripolar.io_yaml import load_yaml_text
    from tripolar.treaty.io import treaty_from_mapping

    name = file.filename or "upload.yaml"
    raw = await file.read(MAX_TREATY_BYTES + 1)
    if len(raw) > MAX_TREATY_BYTES:
        raise InputError("file above 1 MiB", file=name, expected="a treaty YAML file")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError("not valid UTF-8", file=name, expected="UTF-8 text") from exc
    # up to 1 MiB of YAML to parse and validate: in the thread pool, not on the event loop
    return await run_in_threadpool(
        lambda: treaty_from_mapping(load_yaml_text(text, source=name), source=name)
    )


BLANK_LIMIT: dict[str, Any] = {
    "id": "",
    "quantity": "deployed_warheads",
    "description": "",
    "ceiling": None,
    "per_party": {},
    "applies_to": None,
    "applies_from": None,
    "schedule": [],
}
BLANK_STEP: dict[str, Any] = {"date": None, "ceiling": None, "per_party": {}}
BLANK_CITATION: dict[str, Any] = {
    "title": "",
    "publisher": "",
    "date": "",
    "url": "",
    "source_id": None,
}


def _num(value: Any) -> str:
    """A number as a form shows it: ``1550`` rather than ``1550.0``."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def register(app: FastAPI) -> None:
    templates = app.state.templates
    templates.env.filters["num"] = _num
    sessions = app.state.sessions

    def builder_page(
        request: Request, treaty: Treaty, error: str | None = None, status: int = 200
    ) -> Response:
        from tripolar.forces import STATES, TRILATERAL
        from tripolar.treaty import builtin_ids, builtin_treaties
        from tripolar.treaty.schema import QUANTITY_HELP

        tj = treaty.model_dump(mode="json")
        ver = tj["verification"]
        inspections = list(ver["inspections_per_year"])
        inspections += [k for k in ver["inspection_types"] if k not in inspections]
        # A delegation signed in to an open room may propose the treaty there.
        s = sessions.read(request)
        room_session = s if s is not None and s.role == "delegation" and s.party else None
        others = [i for i in builtin_ids() if i != treaty.id]

        def make(csrf: str) -> Response:
            resp: Response = templates.TemplateResponse(
                request,
                "builder.html",
                {
                    "treaty": treaty,
                    "tj": tj,
                    "treaty_json": json.dumps(tj).replace("</", "<\\/"),
                    "treaties": builtin_treaties(),
                    "quantities": list(QUANTITY_HELP),
                    "quantity_help": QUANTITY_HELP,
                    "states": STATES,
                    "inspection_names": inspections,
                    "blank_limit": BLANK_LIMIT,
                    "blank_step": BLANK_STEP,
                    "blank_citation": BLANK_CITATION,
                    "error": error,
                    "count": service.count_view(treaty, app.state.ctx_for()),
                    "csrf": csrf,
                    "compare_default": others[0] if others else None,
                    "room_session": room_session,
                    "trilateral": TRILATERAL,
                },
                status_code=status,
            )
            return resp

        return sessions.page_with_csrf(request, make)

    @app.get("/builder", response_class=HTMLResponse, include_in_schema=False)
    def builder(
        request: Request, start: Annotated[str, Query(alias="from")] = "tri-equal-1000"
    ) -> Response:
        from tripolar.treaty import builtin_ids, load_treaty

        if start not in builtin_ids():
            raise HTTPException(404, f"no built-in treaty {start!r}")
        return builder_page(request, load_treaty(start))

    @app.post("/builder/upload", response_class=HTMLResponse, include_in_schema=False)
    async def builder_upload(request: Request, file: UploadFile) -> Response:
        from tripolar.treaty import load_treaty

        try:
            t = await treaty_from_upload(file)
        except InputError as exc:
            start = load_treaty("tri-equal-1000")
            return await run_in_threadpool(builder_page, request, start, f"error: {exc}", 422)
        # counting and rendering block: not on the event loop
        return await run_in_threadpool(builder_page, request, t)

    @app.post("/builder/yaml", include_in_schema=False)
    def builder_yaml(treaty_json: Annotated[str, Form(max_length=MAX_TREATY_BYTES)]) -> Response:
        t = treaty_from_json_text(treaty_json, source=FORM_SOURCE)
        return Response(
            treaty_yaml(t),
            media_type="application/yaml",
            headers={"Content-Disposition": f'attachment; filename="{t.id}.yaml"'},
        )

    @app.post("/api/treaty/check", tags=["treaties"])
    def api_treaty_check(
        body: Annotated[dict[str, Any], Body(description="a treaty as the treaty file's JSON")],
    ) -> dict[str, Any]:
        """Validate a treaty exactly as ``tripolar count --treaty FILE`` validates a file
        (422 with the command line's message, naming the field), and answer the valid
        treaty, its counts and compliance per party and its YAML text."""
        from tripolar.treaty.io import treaty_from_mapping

        t = treaty_from_mapping(body, source=FORM_SOURCE)
        return {
            "treaty": t.model_dump(mode="json"),
            "counts": service.count_view(t, app.state.ctx_for()),
            "yaml": treaty_yaml(t),
        }

    @app.get("/api/treaty/schema", tags=["treaties"])
    def api_treaty_schema() -> dict[str, Any]:
        """The JSON Schema of the treaty format (``tripolar treaty schema``)."""
        from tripolar.treaty.schema import treaty_json_schema

        return treaty_json_schema()
