"""In-process caches of the web app's answers, and when they stop being valid.

Answers that depend only on their inputs (a forces page, a treaty's counts on the dataset,
a finished evaluation) are kept encoded, so that serving one again costs a dictionary
look-up and no rendering, validation of a result or JSON encoding. Each kind is a bounded
LRU (:data:`ANSWERS_PER_KIND` answers). A cache key holds everything the answer depends on:

- the dataset's content hash: a changed data file (bundled or the ``data_dir`` overlay)
  is noticed by :class:`DataWatch` within :data:`DATA_CHECK_S` and gives a new hash, so
  answers computed on the old files are never served for the new ones;
- the treaty's content (:func:`treaty_key`: its JSON text, every field), the year, seed,
  samples and rule;
- the store: each app has its own caches, and an evaluation is cached here only after the
  store holds it (the store is where every process of the app finds a finished one).

Two levels: the endpoints keep answers by what they depend on (the keys above), after
validating the request; :class:`RequestCache`, in front of the routes, keeps the same
answers by the request itself (method, path, query, content type, body), so that the same
request again is answered without routing, JSON parsing or validation. The cached bytes
are the bytes the answer had when first computed, so a cached and an uncached answer are
the same bytes. Pages carry a strong ETag (the SHA-256 of the bytes) with
``Cache-Control: no-cache``: a browser asks again each time, and an unchanged page costs a
304 without a body.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from tripolar.context import EvaluationContext
from tripolar.treaty.schema import Treaty

#: Answers kept per kind (forces pages, counts, evaluations), newest used first.
ANSWERS_PER_KIND = 256
#: How often (seconds) the data files are looked at (one ``stat`` per file).
DATA_CHECK_S = 0.5
#: Evaluation contexts kept (one per year, seed, samples and rule asked for).
CONTEXTS = 64
#: Longest treaty text kept as a key itself (characters); a longer one by its SHA-256.
MAX_KEY = 64 * 1024


@dataclass(frozen=True)
class Answer:
    """One encoded answer: its bytes, media type and strong ETag."""

    body: bytes
    media_type: str
    etag: str

    def response(self) -> Response:
        """The answer as a plain 200 response (a JSON answer to a POST)."""
        return Response(self.body, media_type=self.media_type)

    def page(self, request: Request) -> Response:
        """The answer as a page with its ETag and ``Cache-Control: no-cache``: 304 without
        a body when the browser already holds these bytes (``If-None-Match``), else 200."""
        headers = {"ETag": self.etag, "Cache-Control": "no-cache"}
        if _matches(request.headers.get("if-none-match"), self.etag):
            return Response(status_code=304, headers=headers)
        return Response(self.body, media_type=self.media_type, headers=headers)


def _matches(if_none_match: str | None, etag: str) -> bool:
    if not if_none_match:
        return False
    tags = [t.strip().removeprefix("W/") for t in if_none_match.split(",")]
    return "*" in tags or etag in tags


def etag_of(body: bytes) -> str:
    """A strong ETag of ``body``: its SHA-256 (first 128 bits, hex), quoted."""
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def json_bytes(value: Any) -> bytes:
    """``value`` as compact JSON (what every cached JSON answer is encoded with)."""
    return json.dumps(value, separators=(",", ":")).encode("utf-8")


def treaty_key(treaty: Treaty) -> str:
    """The treaty's content as a cache key: its JSON text (every field, defaults included),
    so equal treaties have equal keys and a changed field a different one. The text itself
    (up to :data:`MAX_KEY` bytes; its SHA-256 above that) and not its digest: a dictionary
    compares it exactly, and hashing it on the event loop would hand the interpreter lock
    to the thread pool and wait to get it back."""
    text = treaty.model_dump_json()
    if len(text) <= MAX_KEY:
        return text
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


class AnswerCache:
    """Bounded LRU caches of encoded answers, one per kind; safe across threads (the sync
    endpoints run in a thread pool)."""

    def __init__(self, size: int = ANSWERS_PER_KIND) -> None:
        self.size = size
        self._kinds: dict[str, OrderedDict[Hashable, Answer]] = {}
        self._lock = threading.Lock()

    def get(self, kind: str, key: Hashable) -> Answer | None:
        with self._lock:
            d = self._kinds.get(kind)
            hit = None if d is None else d.get(key)
            if hit is not None and d is not None:
                d.move_to_end(key)
            return hit

    def put(self, kind: str, key: Hashable, body: bytes, media_type: str) -> Answer:
        answer = Answer(body, media_type, etag_of(body))
        self.remember(kind, key, answer)
        return answer

    def remember(self, kind: str, key: Hashable, answer: Answer) -> None:
        """Keep an answer already made (another key for the same bytes)."""
        with self._lock:
            d = self._kinds.setdefault(kind, OrderedDict())
            d[key] = answer
            d.move_to_end(key)
            while len(d) > self.size:
                d.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._kinds.clear()

    def __len__(self) -> int:
        with self._lock:
            return sum(len(d) for d in self._kinds.values())


class DataWatch:
    """The app's evaluation contexts, renewed when the data files change.

    :meth:`context` gives the context of (year, seed, samples, rule), one per combination
    (the newest :data:`CONTEXTS` kept), so that what a context builds (dataset, postures,
    alert levels) is built once and not per request. It looks at the data files
    (:func:`tripolar.data.dataset_signature`) at most every ``interval_s`` seconds; after a
    change every context is new, and builds from the new files.
    """

    def __init__(
        self,
        base: EvaluationContext,
        interval_s: float = DATA_CHECK_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        from tripolar.data import dataset_signature

        self.interval_s = interval_s
        self._signature = dataset_signature
        self._clock = clock
        self._base = base
        self._seen = dataset_signature(base.data_dir)
        self._checked = clock()
        self._lock = threading.Lock()
        self._generation = 0
        # (year, seed, samples, rule) -> [context, its dataset's content hash once known]
        self._contexts: OrderedDict[tuple[int, int, int, str], list[Any]] = OrderedDict()

    def generation(self) -> int:
        """How many times the data files changed (after a look at them, when due)."""
        with self._lock:
            self._look()
            return self._generation

    def _look(self) -> None:
        now = self._clock()
        if now - self._checked >= self.interval_s:
            self._checked = now
            seen = self._signature(self._base.data_dir)
            if seen != self._seen:
                self._seen = seen
                self._base = self._base.with_()
                self._contexts.clear()
                self._generation += 1

    def _entry(
        self, year: int | None, seed: int | None, samples: int | None, rule: str | None
    ) -> list[Any]:
        with self._lock:
            self._look()
            b = self._base
            key = (
                b.year if year is None else year,
                b.seed if seed is None else seed,
                b.samples if samples is None else samples,
                b.rule if rule is None else rule,
            )
            entry = self._contexts.get(key)
            if entry is None:
                same = key == (b.year, b.seed, b.samples, b.rule)
                ctx = b if same else b.with_(year=key[0], seed=key[1], samples=key[2], rule=key[3])
                entry = self._contexts[key] = [ctx, None]
                while len(self._contexts) > CONTEXTS:
                    self._contexts.popitem(last=False)
            else:
                self._contexts.move_to_end(key)
            return entry

    def context(
        self,
        year: int | None = None,
        seed: int | None = None,
        samples: int | None = None,
        rule: str | None = None,
    ) -> EvaluationContext:
        """The context of these inputs (None: the app's default)."""
        ctx: EvaluationContext = self._entry(year, seed, samples, rule)[0]
        return ctx

    async def prepared(
        self,
        year: int | None = None,
        seed: int | None = None,
        samples: int | None = None,
        rule: str | None = None,
    ) -> tuple[EvaluationContext, str]:
        """The context and its dataset's content hash, for an ``async`` endpoint: the first
        time, the dataset is read in the thread pool (about half a second), not on the
        event loop."""
        entry = self._entry(year, seed, samples, rule)
        if entry[1] is None:
            ctx: EvaluationContext = entry[0]
            entry[1] = await run_in_threadpool(lambda: ctx.dataset().content_hash)
        return entry[0], entry[1]


# -- the cached answers of the endpoints ------------------------------------------------
# Each runs on the event loop while the answer is in memory (a dictionary look-up) and
# hands everything that blocks (reading the data, rendering, counting, a store query) to
# the thread pool.


async def forces_answer(
    answers: AnswerCache,
    watch: DataWatch,
    state: str,
    year: int,
    render: Callable[[dict[str, Any]], bytes],
) -> Answer:
    """The forces page of ``state`` in ``year``: ``render(view)`` once per dataset."""
    from tripolar.web import service

    ctx, data_hash = await watch.prepared()
    key = (data_hash, state, year)
    hit = answers.get("forces", key)
    if hit is None:
        body = await run_in_threadpool(lambda: render(service.forces_view(ctx, state, year)))
        hit = answers.put("forces", key, body, "text/html")
    return hit


async def count_answer(answers: AnswerCache, watch: DataWatch, treaty: Treaty) -> Answer:
    """Counts, ceilings and compliance of ``treaty`` (:func:`service.count_view`), once per
    treaty and dataset."""
    from tripolar.web import service

    ctx, data_hash = await watch.prepared()
    key = (data_hash, ctx.year, ctx.rule, treaty_key(treaty))
    hit = answers.get("count", key)
    if hit is None:
        body = await run_in_threadpool(lambda: json_bytes(service.count_view(treaty, ctx)))
        hit = answers.put("count", key, body, "application/json")
    return hit


async def cached_evaluation(
    answers: AnswerCache,
    lookup: Callable[[str], dict[str, Any] | None],
    treaty: Treaty,
    ctx: EvaluationContext,
    data_hash: str,
) -> Answer | None:
    """The finished evaluation of ``treaty`` in ``ctx`` if the store holds it (``lookup``
    of its :func:`service.evaluation_key`), else None. Kept here once read, encoded."""
    from tripolar.web import service

    key = (data_hash, ctx.seed, ctx.samples, ctx.year, ctx.rule, treaty_key(treaty))
    hit = answers.get("evaluation", key)
    if hit is not None:
        return hit

    def read() -> bytes | None:
        store_key, _ = service.evaluation_key(treaty, ctx)
        result = lookup(store_key)
        if result is None:
            return None
        return json_bytes({"status": "done", "key": store_key, "cached": True, "result": result})

    body = await run_in_threadpool(read)
    return None if body is None else answers.put("evaluation", key, body, "application/json")


# -- the same request again -------------------------------------------------------------

#: Where :class:`RequestCache` leaves a slot for the endpoint's answer in the ASGI scope.
ANSWER_SLOT = "tripolar.answer"
#: Request bodies above this size are passed on without being kept (bytes).
MAX_BODY = 64 * 1024


def keep_for_request(request: Request, answer: Answer) -> Answer:
    """Let :class:`RequestCache` answer the same request (method, path, query, content type
    and body) with ``answer`` next time, before routing, parsing and validation. Only for
    an answer that depends on nothing but the request and the data files."""
    slot = request.scope.get(ANSWER_SLOT)
    if isinstance(slot, list):
        slot[:] = [answer]
    return answer


class RequestCache:
    """ASGI middleware: a request to one of ``routes`` (method, path) that was answered
    before with an answer the endpoint kept (:func:`keep_for_request`) is answered again at
    once, with the same bytes, before routing, JSON parsing and validation: a GET as a page
    (:meth:`Answer.page`: ETag, 304 when the browser holds it), a POST as
    :meth:`Answer.response`.

    The key is the method, path, query string, content type and body (compared exactly),
    and the data files' generation (:meth:`DataWatch.generation`): a change of the data
    files is never answered from before it, and an answer computed while they changed is
    not kept.
    """

    def __init__(
        self,
        app: Any,
        *,
        answers: AnswerCache,
        watch: DataWatch,
        routes: tuple[tuple[str, str], ...],
    ) -> None:
        self.app = app
        self.answers = answers
        self.watch = watch
        self.routes = frozenset(routes)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or (scope["method"], scope["path"]) not in self.routes:
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        more = scope["method"] not in ("GET", "HEAD")
        size = 0
        while more and size <= MAX_BODY:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            more = message.get("more_body", False)
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Any:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": more}
            return await receive()

        if size > MAX_BODY:  # too large to keep: the app reads the rest, answers as usual
            await self.app(scope, replay, send)
            return
        generation = self.watch.generation()
        content_type = next((v for k, v in scope.get("headers", ()) if k == b"content-type"), b"")
        # the request itself is the key (compared exactly), not a digest of it: see treaty_key
        key = (
            generation,
            scope["method"],
            scope["path"],
            scope["query_string"],
            content_type,
            body,
        )
        hit = self.answers.get("request", key)
        if hit is not None:
            get = scope["method"] == "GET"
            response = hit.page(Request(scope)) if get else hit.response()
            await response(scope, replay, send)
            return
        slot: list[Any] = []
        status = [0]

        async def watch_status(message: Any) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        await self.app({**scope, ANSWER_SLOT: slot}, replay, watch_status)
        if slot and status[0] in (200, 304) and self.watch.generation() == generation:
            self.answers.remember("request", key, slot[0])
