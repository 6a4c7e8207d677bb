"""The FastAPI application: JSON API, server-rendered pages and the negotiation room.

Routes are thin: they validate input with the same pydantic models as the files (a treaty
body is :class:`tripolar.treaty.schema.Treaty`), call :mod:`tripolar.web.service` (which
calls the area functions) and render the typed results. Bad input answers 422 with a
message naming the field; an :class:`~tripolar.errors.InputError` from below does too.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from tripolar.context import DEFAULT_SEED, DEFAULT_YEAR, EvaluationContext
from tripolar.errors import InputError
from tripolar.store.store import Store, open_store
from tripolar.treaty.schema import Treaty
from tripolar.web import cache, service
from tripolar.web.jobs import Jobs
from tripolar.web.security import Passwords, RateLimiter, SecurityHeaders, Sessions

HERE = Path(__file__).parent
#: Web evaluations are bounded so one request cannot hold a worker for long.
MAX_WEB_SAMPLES = 20_000
DEFAULT_WEB_SAMPLES = 1000
State = Literal["US", "RU", "CN", "GB", "FR", "IN", "PK", "IL", "KP"]
Rule = Literal["proportional", "keep-ssbn", "icbm-first", "de-mirv"]


class EvaluateRequest(BaseModel):
    """An evaluation: a treaty (the treaty file's model) and the evaluation context."""

    model_config = ConfigDict(extra="forbid")

    treaty: Treaty
    seed: int = Field(default=DEFAULT_SEED, ge=0, le=2**31 - 1)
    samples: int = Field(default=DEFAULT_WEB_SAMPLES, ge=1, le=MAX_WEB_SAMPLES)
    year: int = Field(default=DEFAULT_YEAR, ge=1945, le=2100)
    rule: Rule = "proportional"


class CompareRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    treaties: list[Treaty] = Field(min_length=2, max_length=8)
    year: int = Field(default=DEFAULT_YEAR, ge=1945, le=2100)


class ErrorBody(BaseModel):
    detail: str
    field: str | None = None


def _error(status: int, message: str, field: str | None = None) -> JSONResponse:
    return JSONResponse({"detail": message, "field": field}, status_code=status)


def _validation_message(exc: RequestValidationError) -> tuple[str, str]:
    err = exc.errors()[0]
    loc = [str(p) for p in err.get("loc", ()) if str(p) not in ("body", "query", "path")]
    loc = [p for p in loc if not p.startswith("function-")]
    field = ".".join(loc) or "(body)"
    msg = str(err.get("msg", "invalid value")).removeprefix("Value error, ")
    return f"field '{field}': {msg}", field


def create_app(
    store: str | Path | None = None,
    *,
    secret: str | None = None,
    secure_cookies: bool = False,
    data_dir: Path | None = None,
    password_hasher: Any = None,
) -> FastAPI:
    """The app on the store at ``store`` (default: the CLI's store, see ``tripolar runs``).

    ``secret`` signs session cookies (default ``$TRIPOLAR_WEB_SECRET`` or a random one per
    process); ``secure_cookies`` marks cookies Secure (behind HTTPS); ``password_hasher``
    is an :class:`argon2.PasswordHasher` (default: argon2-cffi's recommended parameters).
    """
    st: Store = open_store(store)
    app = FastAPI(
        title="tripolar",
        description="Trilateral nuclear arms control workbench: forces, treaties, stability, "
        "verification and bargaining, every figure sourced.",
        version=__import__("tripolar").__version__,
        responses={422: {"model": ErrorBody, "description": "invalid input"}},
        # Swagger UI loads its script from a CDN; /docs is rendered here instead (offline).
        docs_url=None,
        redoc_url=None,
    )
    app.state.store = st
    app.state.jobs = Jobs(st)
    app.state.sessions = Sessions(secret, secure=secure_cookies)
    app.state.signin_limit = RateLimiter()
    app.state.passwords = Passwords(password_hasher)
    # The evaluation contexts (renewed when the data files change) and the answers that
    # depend only on their inputs, kept encoded (tripolar.web.cache).
    app.state.data = cache.DataWatch(EvaluationContext(data_dir=data_dir))
    app.state.answers = cache.AnswerCache()
    app.state.templates = Jinja2Templates(directory=str(HERE / "templates"))
    # The same request for a forces page, a count or a stored evaluation: the same answer
    # at once, before routing and validation.
    app.add_middleware(
        cache.RequestCache,
        answers=app.state.answers,
        watch=app.state.data,
        routes=(("GET", "/forces"), ("POST", "/api/count"), ("POST", "/api/evaluate")),
    )
    app.add_middleware(SecurityHeaders)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        msg, field = _validation_message(exc)
        return _error(422, msg, field)

    @app.exception_handler(InputError)
    async def _input_error(request: Request, exc: InputError) -> JSONResponse:
        return _error(422, str(exc), exc.field)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        if request.url.path.startswith("/api/") or "text/html" not in request.headers.get(
            "accept", ""
        ):
            return _error(exc.status_code, str(exc.detail))
        return app.state.templates.TemplateResponse(
            request,
            "error.html",
            {"status": exc.status_code, "detail": exc.detail},
            status_code=exc.status_code,
        )

    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> Response:
        return Response(status_code=204)

    @app.get("/vendor/plotly.min.js", include_in_schema=False)
    def plotly_js() -> FileResponse:
        import plotly

        path = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
        return FileResponse(path, media_type="application/javascript")

    def ctx_for(
        year: int = DEFAULT_YEAR,
        seed: int = DEFAULT_SEED,
        samples: int = 1000,
        rule: str = "proportional",
    ) -> EvaluationContext:
        watch: cache.DataWatch = app.state.data
        return watch.context(year, seed, samples, rule)

    app.state.ctx_for = ctx_for

    # -- JSON API -----------------------------------------------------------------------

    @app.get("/api/treaties", tags=["treaties"])
    def api_treaties() -> list[dict[str, Any]]:
        """The built-in treaties (id, name, kind, parties)."""
        from tripolar.treaty import builtin_treaties

        return [
            {"id": t.id, "name": t.name, "kind": t.kind, "parties": t.parties}
            for t in builtin_treaties()
        ]

    @app.get("/api/treaties/{treaty_id}", tags=["treaties"])
    def api_treaty(treaty_id: str) -> dict[str, Any]:
        """One built-in treaty, as its file's model."""
        from tripolar.treaty import builtin_ids, load_treaty

        if treaty_id not in builtin_ids():
            raise StarletteHTTPException(404, f"no built-in treaty {treaty_id!r}")
        out: dict[str, Any] = load_treaty(treaty_id).model_dump(mode="json")
        return out

    @app.get("/api/forces/{state}/{year}", tags=["forces"])
    def api_forces(state: State, year: Annotated[int, Field(ge=1945, le=2100)]) -> dict[str, Any]:
        """Stockpile and per-system figures of a state in a year, each with its sources."""
        return service.forces_view(ctx_for(), state, year)

    @app.post("/api/count", tags=["treaties"])
    async def api_count(request: Request, treaty: Treaty) -> Response:
        """Counts, ceilings and compliance per party of a treaty (the treaty file's model),
        for the dataset postures of its baseline year."""
        hit = await cache.count_answer(app.state.answers, app.state.data, treaty)
        return cache.keep_for_request(request, hit).response()

    @app.post("/api/treaty/yaml", tags=["treaties"])
    def api_treaty_yaml(treaty: Treaty) -> Response:
        """The treaty as a YAML file (what ``tripolar count --treaty FILE`` reads)."""
        import yaml

        text = yaml.safe_dump(
            treaty.model_dump(mode="json", exclude_defaults=True),
            sort_keys=False,
            allow_unicode=True,
        )
        return Response(
            text,
            media_type="application/yaml",
            headers={"Content-Disposition": f'attachment; filename="{treaty.id}.yaml"'},
        )

    @app.post("/api/treaty/validate-yaml", tags=["treaties"])
    async def api_validate_yaml(request: Request) -> dict[str, Any]:
        """Validate an uploaded treaty YAML text (the body); the CLI's message on error."""
        from tripolar.io_yaml import load_yaml_text

        body = await request.body()
        if len(body) > 1024 * 1024:
            raise InputError("treaty file above 1 MiB", field="body")
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError("not valid UTF-8", field="body", expected="UTF-8 text") from exc
        from tripolar.treaty.io import treaty_from_mapping

        def parse() -> Treaty:  # up to 1 MiB of YAML: not on the event loop
            return treaty_from_mapping(load_yaml_text(text, source="upload"), source="upload")

        out: dict[str, Any] = (await run_in_threadpool(parse)).model_dump(mode="json")
        return out

    def _start(req: EvaluateRequest, ctx: EvaluationContext, wait: bool) -> Response:
        jobs: Jobs = app.state.jobs

        def compute(progress: Any) -> dict[str, Any]:
            return service.evaluation_view(req.treaty, ctx, progress)

        key, inputs = service.evaluation_key(req.treaty, ctx)
        if wait:
            res = jobs.run_now(key, inputs, compute)
            return JSONResponse({"status": "done", "key": key, "cached": False, "result": res})
        job = jobs.submit(key, inputs, compute)
        return JSONResponse(job.to_dict(with_result=False), status_code=202)

    @app.post("/api/evaluate", tags=["evaluation"])
    async def api_evaluate(
        request: Request, req: EvaluateRequest, wait: Annotated[bool, Query()] = False
    ) -> Response:
        """Evaluate a treaty: stability, verification, utilities and ZOPA, upload potential.

        A cached result (same treaty, data, seed, samples, year, rule) is returned at once
        (200). Otherwise the evaluation starts as a background job (202, poll
        ``/api/jobs/{job}``), or, with ``wait=true``, runs before the answer.
        """
        watch: cache.DataWatch = app.state.data
        ctx, data_hash = await watch.prepared(req.year, req.seed, req.samples, req.rule)
        jobs: Jobs = app.state.jobs
        hit = await cache.cached_evaluation(
            app.state.answers, jobs.cached, req.treaty, ctx, data_hash
        )
        if hit is not None:
            return cache.keep_for_request(request, hit).response()
        return await run_in_threadpool(_start, req, ctx, wait)

    @app.get("/api/jobs/{job_id}", tags=["evaluation"])
    def api_job(job_id: Annotated[str, Field(max_length=64)]) -> dict[str, Any]:
        """A background evaluation's progress; its result once done."""
        job = app.state.jobs.get(job_id)
        if job is None:
            raise StarletteHTTPException(404, "no such job")
        out: dict[str, Any] = job.to_dict()
        return out

    @app.post("/api/compare", tags=["evaluation"])
    def api_compare(req: CompareRequest) -> dict[str, Any]:
        """Two or more treaties side by side: the assessment table (counts, compliance,
        verification, and utilities where all three are parties)."""
        return service.compare_view(list(req.treaties), ctx_for(req.year))

    @app.get("/api/runs", tags=["runs"])
    def api_runs(limit: Annotated[int, Query(ge=1, le=500)] = 50) -> list[dict[str, Any]]:
        """The run history of the store (newest first)."""
        from tripolar.jsonio import to_jsonable

        out: list[dict[str, Any]] = to_jsonable(st.list_runs(limit=limit))
        return out

    @app.get("/docs", include_in_schema=False)
    def docs(request: Request) -> Response:
        """The API reference, rendered from the OpenAPI schema (also at /openapi.json)."""
        resp: Response = app.state.templates.TemplateResponse(
            request, "docs.html", {"schema": app.openapi()}
        )
        return resp

    from tripolar.web import builder, pages, room

    pages.register(app)
    builder.register(app)
    room.register(app)
    return app
