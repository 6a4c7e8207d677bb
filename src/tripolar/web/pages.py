"""Server-rendered pages: forces, treaty builder, evaluation, compare, runs."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import FastAPI, Form, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from tripolar.errors import InputError
from tripolar.web import service
from tripolar.web.cache import forces_answer, keep_for_request


def script_json(value: Any) -> str:
    """JSON safe inside a ``<script type="application/json">`` block (no ``</``)."""
    return json.dumps(value).replace("</", "<\\/")


#: Most treaties on one comparison page (the JSON API's bound too).
MAX_COMPARED = 8


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
    async def forces(
        request: Request,
        state: Annotated[str, Query(pattern="^[A-Z]{2}$")] = "US",
        year: Annotated[int, Query(ge=1945, le=2100)] = 2025,
    ) -> Response:
        from tripolar.forces import STATES

        if state not in STATES:
            raise HTTPException(404, f"no state {state!r}")

        def page(view: dict[str, Any]) -> bytes:
            html = render(
                request, "forces.html", v=view, states=STATES, history=script_json(view["history"])
            )
            return bytes(html.body)

        # Rendered once per dataset, state and year; revalidated by ETag (tripolar.web.cache).
        hit = await forces_answer(app.state.answers, app.state.data, state, year, page)
        return keep_for_request(request, hit).page(request)

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

    def compare_page(
        request: Request,
        ids: list[str],
        own: list[Any],
        error: str | None = None,
    ) -> Response:
        from tripolar.treaty import builtin_treaties, load_treaty

        view = None
        if error is None:
            view = service.compare_view([load_treaty(i) for i in ids] + own, app.state.ctx_for())
        yours = [{"id": t.id, "name": t.name, "json": t.model_dump_json()} for t in own]

        def make(csrf: str) -> Response:
            return render(
                request,
                "compare.html",
                v=view,
                chosen=ids,
                yours=yours,
                treaties=builtin_treaties(),
                csrf=csrf,
                error=error,
            )

        resp: Response = app.state.sessions.page_with_csrf(request, make)
        if error is not None:
            resp.status_code = 422
        return resp

    @app.get("/compare", response_class=HTMLResponse, include_in_schema=False)
    def compare(request: Request, t: Annotated[list[str] | None, Query()] = None) -> Response:
        from tripolar.treaty import builtin_ids

        ids = t or ["tri-equal-1000", "tri-proportional", "tri-china-freeze"]
        for i in ids:
            if i not in builtin_ids():
                raise HTTPException(404, f"no built-in treaty {i!r}")
        if len(ids) < 2:
            raise HTTPException(422, "choose two or more treaties")
        return compare_page(request, ids, [])

    @app.post("/compare", response_class=HTMLResponse, include_in_schema=False)
    async def compare_own(request: Request) -> Response:
        """Compare built-in treaties (``t``), treaties from the builder or a previous
        comparison (``treaty_json``) and uploaded treaty files (``file``)."""
        from starlette.datastructures import UploadFile as Upload

        from tripolar.treaty import builtin_ids
        from tripolar.web.builder import MAX_TREATY_BYTES, treaty_from_json_text
        from tripolar.web.builder import treaty_from_upload as from_upload

        form = await request.form(
            max_files=MAX_COMPARED, max_fields=100, max_part_size=MAX_TREATY_BYTES
        )
        if not app.state.sessions.csrf_ok(request, str(form.get("csrf", ""))):
            raise HTTPException(403, "missing or wrong CSRF token")
        ids = [str(v) for v in form.getlist("t")]
        try:
            for i in ids:
                if i not in builtin_ids():
                    raise InputError(f"no built-in treaty {i!r}", field="t")
            own = [
                treaty_from_json_text(str(v), source=f"treaty_json[{k}]")
                for k, v in enumerate(form.getlist("treaty_json"))
                if str(v).strip()
            ]
            for f in form.getlist("file"):
                if isinstance(f, Upload) and f.filename:
                    own.append(await from_upload(f))
            names = ids + [t.id for t in own]
            dupes = sorted({n for n in names if names.count(n) > 1})
            if dupes:
                raise InputError(
                    f"treaty id {dupes[0]!r} appears twice",
                    field="treaty id",
                    expected="distinct ids (rename one in the builder)",
                )
            if not 2 <= len(names) <= MAX_COMPARED:
                raise InputError(
                    f"{len(names)} treaties chosen",
                    field="t",
                    expected=f"two to {MAX_COMPARED} treaties",
                )
        except InputError as exc:
            return await run_in_threadpool(compare_page, request, ids, [], f"error: {exc}")
        # the assessment of every treaty blocks: not on the event loop
        return await run_in_threadpool(compare_page, request, ids, own)

    @app.post("/evaluate", response_class=HTMLResponse, include_in_schema=False)
    def evaluate_own(
        request: Request,
        treaty_json: Annotated[str, Form(max_length=1024 * 1024)],
        csrf: Annotated[str, Form(max_length=200)] = "",
    ) -> HTMLResponse:
        """The evaluation page for a treaty from the builder (its JSON in ``treaty_json``)."""
        from tripolar.treaty import builtin_treaties
        from tripolar.web.builder import treaty_from_json_text

        if not app.state.sessions.csrf_ok(request, csrf):
            raise HTTPException(403, "missing or wrong CSRF token")
        t = treaty_from_json_text(treaty_json, source="treaty_json")
        return render(
            request,
            "evaluate.html",
            treaty=t,
            treaties=builtin_treaties(),
            request_json=script_json(
                {"treaty": t.model_dump(mode="json"), "samples": 1000, "seed": 1}
            ),
            samples=1000,
            seed=1,
        )

    @app.get("/runs", response_class=HTMLResponse, include_in_schema=False)
    def runs(request: Request) -> HTMLResponse:
        rows = app.state.store.list_runs(limit=100)
        return render(request, "runs.html", runs=rows, store=app.state.store.location)

    #: Runs whose repetition takes seconds (a Monte Carlo per proposal): a background job.
    background = ("assess",)

    def rerun_key(run_id: int) -> str:
        return f"rerun:{run_id}"

    def run_page(
        request: Request,
        run_id: int,
        reproduction: dict[str, Any] | None = None,
        error: str | None = None,
        job: Any = None,
    ) -> Response:
        from tripolar.jsonio import dumps
        from tripolar.store.reproduce import REPRODUCIBLE

        try:
            rec = app.state.store.get_run(run_id)
        except InputError as exc:
            raise HTTPException(404, "no such run") from exc

        def make(csrf: str) -> Response:
            return render(
                request,
                "run.html",
                run=rec,
                text=dumps(rec),
                csrf=csrf,
                reproducible=rec.command in REPRODUCIBLE,
                reproduction=reproduction,
                error=error,
                job=job,
            )

        resp: Response = app.state.sessions.page_with_csrf(request, make)
        if error is not None and job is None:
            resp.status_code = 422
        return resp

    @app.get("/runs/{run_id}", response_class=HTMLResponse, include_in_schema=False)
    def run_detail(
        request: Request,
        run_id: int,
        job: Annotated[str | None, Query(max_length=64)] = None,
    ) -> Response:
        """A run's record; with ``job``, the state of its re-run in the background: its
        progress while running (the page polls it), the comparison once done."""
        found = None if job is None else app.state.jobs.get(job)
        if found is None or found.key != rerun_key(run_id):
            return run_page(request, run_id)
        if found.status == "done":
            return run_page(request, run_id, reproduction=found.result, job=found)
        if found.status == "error":
            return run_page(request, run_id, error=f"error: {found.error}", job=found)
        return run_page(request, run_id, job=found)

    @app.post("/runs/{run_id}/rerun", response_class=HTMLResponse, include_in_schema=False)
    def run_again(
        request: Request, run_id: int, csrf: Annotated[str, Form(max_length=200)] = ""
    ) -> Response:
        """Repeat a run from its record (:func:`tripolar.store.reproduce.reproduce`), save
        the repetition as a new run, and show whether the outputs are the same. An
        ``assess`` run is repeated as a background job: the answer sends the browser to the
        run's page, which shows the job's progress and then the comparison."""
        from fastapi.responses import RedirectResponse

        from tripolar.store.reproduce import reproduce

        if not app.state.sessions.csrf_ok(request, csrf):
            raise HTTPException(403, "missing or wrong CSRF token")
        try:
            rec = app.state.store.get_run(run_id)
        except InputError as exc:
            raise HTTPException(404, "no such run") from exc
        if rec.command in background:

            def compute(progress: Any) -> dict[str, Any]:
                out: dict[str, Any] = reproduce(
                    app.state.store, run_id, on_progress=progress
                ).to_dict()
                return out

            job = app.state.jobs.submit(rerun_key(run_id), {}, compute, keep=False)
            return RedirectResponse(f"/runs/{run_id}?job={job.id}", status_code=303)
        try:
            rep = reproduce(app.state.store, run_id)
        except InputError as exc:
            return run_page(request, run_id, error=f"error: {exc}")
        return run_page(request, run_id, reproduction=rep.to_dict())
