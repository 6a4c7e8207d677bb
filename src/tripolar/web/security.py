"""Sessions, CSRF tokens, password hashing, sign-in rate limits and security headers.

Sessions are signed cookies (itsdangerous), HttpOnly and SameSite=Strict, carrying only the
room's public id, the role (facilitator or one party's delegation) and a CSRF token; no
private input ever goes into a cookie or a URL. Passwords are hashed with Argon2id
(argon2-cffi). Forms carry the CSRF token of the session (or, before sign-in, of a
separate signed cookie), and every state-changing request checks it.
"""

from __future__ import annotations

import hmac
import os
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.requests import Request
from starlette.responses import Response

SESSION_COOKIE = "tp_session"
CSRF_COOKIE = "tp_csrf"
#: A session lasts a working day; after that the delegation signs in again.
SESSION_MAX_AGE_S = 12 * 3600
#: Sign-in attempts allowed per room, party and client in :data:`RATE_WINDOW_S`.
RATE_ATTEMPTS = 5
RATE_WINDOW_S = 60.0
MIN_PASSWORD = 8

# Scripts only from this server (no inline script). Plotly inserts <style> elements when it
# draws, so inline styles are allowed; styles cannot run code.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
}


class Passwords:
    """Argon2id hashing (argon2-cffi's recommended parameters unless given a hasher)."""

    def __init__(self, hasher: PasswordHasher | None = None) -> None:
        self._hasher = hasher or PasswordHasher()

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def check(self, stored_hash: str | None, password: str) -> bool:
        if not stored_hash:
            # Hash anyway, so an unknown delegation costs the same time as a wrong password.
            self._hasher.hash(password)
            return False
        try:
            return self._hasher.verify(stored_hash, password)
        except (VerificationError, InvalidHashError):
            return False


@dataclass(frozen=True)
class Session:
    room: str
    role: str  # "facilitator" or "delegation"
    party: str | None
    csrf: str

    def to_dict(self) -> dict[str, Any]:
        return {"room": self.room, "role": self.role, "party": self.party, "csrf": self.csrf}


class Sessions:
    """Signing and reading session and CSRF cookies with one secret."""

    def __init__(self, secret: str | None = None, *, secure: bool = False) -> None:
        # A per-process secret unless one is configured: after a restart every delegation
        # signs in again (the rooms themselves are in the store).
        key = secret or os.environ.get("TRIPOLAR_WEB_SECRET") or secrets.token_urlsafe(32)
        self._session = URLSafeTimedSerializer(key, salt="tripolar-session")
        self._csrf = URLSafeTimedSerializer(key, salt="tripolar-csrf")
        self.secure = secure

    def read(self, request: Request) -> Session | None:
        raw = request.cookies.get(SESSION_COOKIE)
        if not raw:
            return None
        try:
            data = self._session.loads(raw, max_age=SESSION_MAX_AGE_S)
        except BadSignature:
            return None
        if not isinstance(data, dict):
            return None
        try:
            return Session(
                str(data["room"]), str(data["role"]), data.get("party"), str(data["csrf"])
            )
        except KeyError:
            return None

    def start(self, response: Response, room: str, role: str, party: str | None) -> Session:
        s = Session(room, role, party, secrets.token_urlsafe(24))
        response.set_cookie(
            SESSION_COOKIE,
            self._session.dumps(s.to_dict()),
            max_age=SESSION_MAX_AGE_S,
            httponly=True,
            samesite="strict",
            secure=self.secure,
            path="/",
        )
        return s

    def end(self, response: Response) -> None:
        response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict")

    def anonymous_csrf(self, request: Request, response: Response) -> str:
        """The pre-sign-in CSRF token of this browser (set as a signed cookie if new)."""
        token = self._read_csrf(request)
        if token is None:
            token = secrets.token_urlsafe(24)
            response.set_cookie(
                CSRF_COOKIE,
                self._csrf.dumps(token),
                max_age=SESSION_MAX_AGE_S,
                httponly=True,
                samesite="strict",
                secure=self.secure,
                path="/",
            )
        return token

    def page_with_csrf(self, request: Request, make: Callable[[str], Response]) -> Response:
        """``make(token)`` with this browser's pre-sign-in CSRF token (its signed cookie set
        if new), for the forms of pages outside a room; :meth:`csrf_ok` accepts it."""
        probe = Response()
        token = self.anonymous_csrf(request, probe)
        resp = make(token)
        for cookie in probe.headers.getlist("set-cookie"):
            resp.headers.append("set-cookie", cookie)
        return resp

    def _read_csrf(self, request: Request) -> str | None:
        raw = request.cookies.get(CSRF_COOKIE)
        if not raw:
            return None
        try:
            value = self._csrf.loads(raw, max_age=SESSION_MAX_AGE_S)
        except BadSignature:
            return None
        return value if isinstance(value, str) else None

    def csrf_ok(self, request: Request, submitted: str | None) -> bool:
        """Does ``submitted`` match this browser's session or pre-sign-in CSRF token?"""
        if not submitted:
            return False
        expected = [t for t in (self._read_csrf(request),) if t]
        s = self.read(request)
        if s is not None:
            expected.append(s.csrf)
        return any(hmac.compare_digest(submitted, t) for t in expected)


class RateLimiter:
    """At most ``attempts`` events per key in a sliding ``window_s`` (in this process)."""

    def __init__(self, attempts: int = RATE_ATTEMPTS, window_s: float = RATE_WINDOW_S) -> None:
        self.attempts = attempts
        self.window_s = window_s
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        now = time.monotonic()
        with self._lock:
            q = self._hits.setdefault(key, deque())
            while q and now - q[0] > self.window_s:
                q.popleft()
            if len(q) >= self.attempts:
                return False
            q.append(now)
            return True


#: Paths whose answers a browser must not keep (a room's state is private to a session).
NO_STORE_PREFIXES = ("/rooms", "/join", "/api/rooms")


class SecurityHeaders:
    """ASGI middleware: :data:`SECURITY_HEADERS` on every HTTP answer (a route's own value
    of one of them is kept), and ``Cache-Control: no-store`` under :data:`NO_STORE_PREFIXES`.

    A plain ASGI middleware edits the headers of the answer as it is sent; unlike
    ``@app.middleware("http")`` it adds no task, stream or copy of the body per request.
    """

    def __init__(self, app: Any) -> None:
        self.app = app
        self._headers = [(k.lower().encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        no_store = scope["path"].startswith(NO_STORE_PREFIXES)

        async def send_with_headers(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                have = {k.lower() for k, _ in headers}
                headers += [h for h in self._headers if h[0] not in have]
                if no_store:
                    headers = [h for h in headers if h[0].lower() != b"cache-control"]
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
