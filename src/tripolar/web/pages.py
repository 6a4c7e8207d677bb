"""Server-rendered pages: forces, treaty builder, evaluation, compare, runs."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import FastAPI, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from starlette.exceptions import HTTPException

from tripolar.errors import InputError
from tripolar.web import service


def script_json(value: Any) -> str:
    """JSON safe inside a ``<script type="application/json">`` block (no ``</``)."""
    return json.dumps(value).replace("</", "<\\/")


def register(app: FastAPI) -> None:
    templates = app.state.templates

    def render(request: Request, name: str, **ctx: Any) -> HTMLResponse:
        resp: HTMLResponse = templates.TemplateResponse(request, name, ctx)
        return resp

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def index(request: Request) -> HTMLResponse:
        from tripolar.treaty import builtin_treaties

        return render(request, "index.html", treaties=builtin_treaties())

    @app.get("/forces", response_class=HTMLResponse, include_in_schema=False)
    def forces(
        request: Request,
        state: Annotated[str, Query(pattern="^[A-Z]{2}$")] = "US",
        year: Annotated[int, Query(ge=1945, le=2100)] = 2025,
    ) -> HTMLResponse:
        from tripolar.forces import STATES

        if state not in STATES:
            raise HTTPException(404, f"no state {state!r}")
        ctx = app.state.ctx_for()
        key = f"{ctx.dataset().content_hash}:{state}:{year}"
        hit = app.state.memo.get("forces", key)
        if hit is None:
            view = service.forces_view(ctx, state, year)
            page = render(
                request,
                "forces.html",
                v=view,
                states=STATES,
                history=script_json(view["history"]),
            )
            hit = app.state.memo.put("forces", key, bytes(page.body))
        return HTMLResponse(hit)

    def builder_page(request: Request, treaty: Any, error: str | None = None) -> HTMLResponse:
        from tripolar.treaty import builtin_treaties
        from tripolar.treaty.schema import QUANTITY_HELP

        return render(
            request,
            "builder.html",
            treaty=treaty,
            treaty_json=script_json(treaty.model_dump(mode="json")),
            treaties=builtin_treaties(),
            quantities=list(QUANTITY_HELP),
            states=("US", "RU", "CN", "GB", "FR"),
            error=error,
            count=service.count_view(treaty, app.state.ctx_for()),
        )

    @app.get("/builder", response_class=HTMLResponse, include_in_schema=False)
    def builder(
        request: Request, start: Annotated[str, Query(alias="from")] = "tri-equal-1000"
    ) -> HTMLResponse:
        from tripolar.treaty import builtin_ids, load_treaty

        if start not in builtin_ids():
            raise HTTPException(404, f"no built-in treaty {start!r}")
        return builder_page(request, load_treaty(start))

    @app.post("/builder/upload", response_class=HTMLResponse, include_in_schema=False)
    async def builder_upload(request: Request, file: UploadFile) -> HTMLResponse:
        from tripolar.io_yaml import load_yaml_text
        from tripolar.treaty import load_treaty
        from tripolar.treaty.io import treaty_from_mapping

        name = file.filename or "upload.yaml"
        raw = await file.read(1024 * 1024 + 1)
        try:
            if len(raw) > 1024 * 1024:
                raise InputError("file above 1 MiB", file=name, expected="a treaty YAML file")
            t = treaty_from_mapping(load_yaml_text(raw.decode("utf-8"), source=name), source=name)
        except (InputError, UnicodeDecodeError) as exc:
            resp = builder_page(request, load_treaty("tri-equal-1000"), error=f"error: {exc}")
            resp.status_code = 422
            return resp
        return builder_page(request, t)

    @app.get("/evaluate", response_class=HTMLResponse, include_in_schema=False)
    def evaluate_page(
        request: Request,
        treaty: str = "tri-equal-1000",
        samples: Annotated[int, Query(ge=1, le=20000)] = 1000,
        seed: Annotated[int, Query(ge=0, le=2**31 - 1)] = 1,
    ) -> HTMLResponse:
        from tripolar.treaty import builtin_ids, builtin_treaties, load_treaty

        if treaty not in builtin_ids():
            raise HTTPException(404, f"no built-in treaty {treaty!r}")
        t = load_treaty(treaty)
        return render(
            request,
            "evaluate.html",
            treaty=t,
            treaties=builtin_treaties(),
            request_json=script_json(
                {"treaty": t.model_dump(mode="json"), "samples": samples, "seed": seed}
            ),
            samples=samples,
            seed=seed,
        )

    @app.get("/compare", response_class=HTMLResponse, include_in_schema=False)
    def compare(request: Request, t: Annotated[list[str] | None, Query()] = None) -> HTMLResponse:
        from tripolar.treaty import builtin_ids, builtin_treaties, load_treaty

        ids = t or ["tri-equal-1000", "tri-proportional", "tri-china-freeze"]
        for i in ids:
            if i not in builtin_ids():
                raise HTTPException(404, f"no built-in treaty {i!r}")
        if len(ids) < 2:
            raise HTTPException(422, "choose two or more treaties")
        view = service.compare_view([load_treaty(i) for i in ids], app.state.ctx_for())
        return render(request, "compare.html", v=view, chosen=ids, treaties=builtin_treaties())

    @app.get("/runs", response_class=HTMLResponse, include_in_schema=False)
    def runs(request: Request) -> HTMLResponse:
        rows = app.state.store.list_runs(limit=100)
        return render(request, "runs.html", runs=rows, store=app.state.store.location)

    @app.get("/runs/{run_id}", response_class=HTMLResponse, include_in_schema=False)
    def run_detail(request: Request, run_id: int) -> Response:
        from tripolar.jsonio import dumps

        try:
            rec = app.state.store.get_run(run_id)
        except InputError as exc:
            raise HTTPException(404, "no such run") from exc
        return render(request, "run.html", run=rec, text=dumps(rec))

    @app.post("/builder/yaml", include_in_schema=False)
    def builder_yaml(treaty_json: Annotated[str, Form()]) -> Response:
        import yaml
        from pydantic import ValidationError

        from tripolar.errors import from_validation_error
        from tripolar.treaty.schema import Treaty

        try:
            t = Treaty.model_validate_json(treaty_json)
        except ValidationError as exc:
            raise from_validation_error(exc, None) from exc
        text = yaml.safe_dump(t.model_dump(mode="json", exclude_defaults=True), sort_keys=False)
        return Response(
            text,
            media_type="application/yaml",
            headers={"Content-Disposition": f'attachment; filename="{t.id}.yaml"'},
        )
