"""`clerk serve`: the receiving service of a county office (its points send) or of the city (the
county offices send), a Starlette application run by uvicorn.

Why Starlette + uvicorn: the service is three routes that stream a body to disk and answer JSON;
Starlette gives routing, streaming request bodies and file responses with nothing else to carry
(no ORM, no templates), uvicorn is the well-kept ASGI server with TLS options (`ssl_certfile`,
`ssl_keyfile`) and a connection limit; both are small, typed and maintained by the same
people as httpx, the client side.

Routes (every request signed, see `clerk.net.signing`; `keyid` must be the path's sender: a
point at a county, a county office at the city):

- `PUT /v1/bundles/{sender}/{seq}`: the bundle bytes, `Content-Digest: sha-256=:…:`.
  201 stored and imported · 200 an identical resend (the stored outcome again), or a bundle the
  county already holds (came by USB, or a later one carried it) · 202 stored, waiting for an
  earlier bundle (`waiting_for`) · 409 this number was received with other content · 400 no or a
  malformed Content-Digest · 422 the body does not match its digest, or the import refused it ·
  413 too large · 401 not signed by the sender's registered, unrevoked key, stale or replayed ·
  503 (+ Retry-After) too many uploads at once, or the database cannot take it now.
- `GET /v1/bundles/for/{point}?after=N`: the return bundles for `point` (at the city: for a
  county office) numbered after N (JSON).
- `GET /v1/bundles/for/{point}/{seq}`: one return bundle's bytes, with its `Content-Digest`.
- `GET /v1/health`: unsigned, `{"ok": true, "office": …}` for the hall's monitoring.

One log line per request (method, point, number, outcome, status, duration); never personal data
(the service never decrypts a bundle outside the import code, and logs no body).
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import anyio
import anyio.to_thread
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

from clerk.net.mailbox import CODE, Mailbox
from clerk.net.signing import AuthProblem, Gate, content_digest, parse_content_digest
from clerk.service.window import Window

log = logging.getLogger("clerk.net")

MB = 1024 * 1024
DEFAULT_MAX_BUNDLE = 512 * MB
DEFAULT_MAX_UPLOADS = 8
RETRY_AFTER = 1  # seconds a client is asked to wait when the service is busy (bench.net_load)


@dataclass
class ServeConfig:
    spool: Path  # where received bundles are kept
    returns: Path  # where the county writes its return bundles (clerk export --for P --out …)
    max_bundle: int = DEFAULT_MAX_BUNDLE
    max_uploads: int = DEFAULT_MAX_UPLOADS
    passphrase: str | None = None
    clock: Callable[[], float] = time.time
    extra: dict[str, Any] = field(default_factory=dict)


class _Service:
    def __init__(self, open_window: Callable[[], Window], config: ServeConfig) -> None:
        self.config = config
        self.mailbox = Mailbox(open_window, config.spool, passphrase=config.passphrase)
        self.reader = Mailbox(open_window, config.spool)  # keys and listings, beside imports
        self.gate = Gate(self._key, clock=config.clock)
        self.uploads = 0

    def _key(self, key_id: str) -> tuple[str, Ed25519PublicKey | None]:
        import base64

        with self.reader.window() as w:
            sync = w.sync_store()
            key = sync.active_key(key_id)
            if key is not None and key.role == "peer" and key.sign_key:
                return "ok", Ed25519PublicKey.from_public_bytes(base64.b64decode(key.sign_key))
            if any(k.point_code == key_id for k in sync.peer_keys()):
                return "revoked", None
        return "unknown", None

    def remember_spool(self) -> None:
        from clerk.net.status import remember_spool

        with self.mailbox.window() as w:
            remember_spool(w, self.config.spool)

    async def authenticate(self, request: Request, who: str, *, has_body: bool) -> None:
        message = SimpleNamespace(
            method=request.method, url=str(request.url), headers=request.headers
        )
        await anyio.to_thread.run_sync(
            lambda: self.gate.check(message, has_body=has_body, expect_key=who)
        )

    # ------------------------------------------------------------------ PUT a bundle

    async def put_bundle(self, request: Request) -> Response:
        sender = request.path_params["sender"]
        seq = request.path_params["seq"]
        if not CODE.match(sender) or not 1 <= seq < 10**9:
            return _json(404, "not_found", "没有这个地址。")
        await self.authenticate(request, sender, has_body=True)
        expected = parse_content_digest(request.headers.get("content-digest"))
        if expected is None:
            return _json(400, "bad_digest", "请求缺少或写错了 Content-Digest（sha-256），未收。")
        length = request.headers.get("content-length")
        if length is not None and length.isdigit() and int(length) > self.config.max_bundle:
            return _too_large(self.config.max_bundle)
        if self.uploads >= self.config.max_uploads:
            return _json(
                503, "busy", "县级服务正忙（同时上传的包太多），请稍后自动重试。", retry=True
            )
        self.uploads += 1
        try:
            return await self._take(request, sender, seq, expected)
        finally:
            self.uploads -= 1

    async def _take(self, request: Request, sender: str, seq: int, expected: bytes) -> Response:
        spool = self.config.spool
        spool.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{sender}-{seq}.", suffix=".part", dir=spool)
        tmp = Path(name)
        digest = hashlib.sha256()
        size = 0
        try:
            with os.fdopen(fd, "wb") as out:
                async for chunk in request.stream():
                    size += len(chunk)
                    if size > self.config.max_bundle:
                        tmp.unlink(missing_ok=True)
                        return _too_large(self.config.max_bundle)
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                await anyio.to_thread.run_sync(os.fsync, out.fileno())
        except ClientDisconnect:
            tmp.unlink(missing_ok=True)
            request.state.outcome = "dropped"
            return Response(status_code=400)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        if digest.digest() != expected:
            tmp.unlink(missing_ok=True)
            return _json(
                422,
                "digest_mismatch",
                "收到的内容与 Content-Digest 不符（传输中损坏或不完整），未收，请重发。",
            )
        at = datetime.now().astimezone().isoformat(timespec="seconds")
        outcome = await anyio.to_thread.run_sync(
            self.mailbox.receive, sender, seq, tmp, digest.hexdigest(), at
        )
        request.state.outcome = outcome.body.get("state") or outcome.body.get("refusal")
        headers = {"Retry-After": str(RETRY_AFTER)} if outcome.status == 503 else None
        return JSONResponse(outcome.body, status_code=outcome.status, headers=headers)

    # ------------------------------------------------------------------ return bundles

    async def list_returns(self, request: Request) -> Response:
        point = request.path_params["point"]
        if not CODE.match(point):
            return _json(404, "not_found", "没有这个地址。")
        await self.authenticate(request, point, has_body=False)
        try:
            after = int(request.query_params.get("after", "0"))
        except ValueError:
            return _json(400, "bad_after", "after 应为整数（已导入的最后一个回执包编号）。")
        listing = await anyio.to_thread.run_sync(
            self.reader.returns_for, point, after, self.config.returns
        )
        request.state.outcome = f"{len(listing)} listed"
        return JSONResponse({"point": point, "after": after, "bundles": listing})

    async def get_return(self, request: Request) -> Response:
        point = request.path_params["point"]
        seq = request.path_params["seq"]
        if not CODE.match(point):
            return _json(404, "not_found", "没有这个地址。")
        await self.authenticate(request, point, has_body=False)
        path = await anyio.to_thread.run_sync(
            self.reader.return_file, point, seq, self.config.returns
        )
        if path is None:
            return _json(404, "not_found", f"没有给 {point} 的第 {seq} 号回执包。")
        sha = await anyio.to_thread.run_sync(_sha256_file, path)
        request.state.outcome = "sent"
        return FileResponse(
            path,
            media_type="application/octet-stream",
            headers={"Content-Digest": content_digest(sha)},
        )

    async def health(self, request: Request) -> Response:
        office = await anyio.to_thread.run_sync(self.reader.me)
        return JSONResponse({"ok": True, "office": office})


def make_app(open_window: Callable[[], Window], config: ServeConfig) -> Starlette:
    """The ASGI application; `open_window()` opens the county's window (called once for the
    imports, once for key look-ups and listings)."""
    service = _Service(open_window, config)

    def logged(
        handler: Callable[[Request], Awaitable[Response]],
    ) -> Callable[[Request], Awaitable[Response]]:
        async def run(request: Request) -> Response:
            started = time.monotonic()
            try:
                response = await handler(request)
            except AuthProblem as exc:
                request.state.outcome = exc.code
                response = _json(401, exc.code, str(exc))
            params = request.path_params
            who = params.get("sender") or params.get("point") or "-"
            log.info(
                "%s %s #%s %s %d %.3fs",
                request.method,
                who,
                params.get("seq", request.query_params.get("after", "-")),
                getattr(request.state, "outcome", "-"),
                response.status_code,
                time.monotonic() - started,
            )
            return response

        return run

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await anyio.to_thread.run_sync(service.remember_spool)  # for the supervisor's view
        await anyio.to_thread.run_sync(service.mailbox.drain_all)  # left by a stop mid-import
        try:
            yield
        finally:
            service.mailbox.close()
            service.reader.close()

    app = Starlette(
        routes=[
            Route("/v1/bundles/{sender}/{seq:int}", logged(service.put_bundle), methods=["PUT"]),
            Route("/v1/bundles/for/{point}", logged(service.list_returns), methods=["GET"]),
            Route("/v1/bundles/for/{point}/{seq:int}", logged(service.get_return), methods=["GET"]),
            Route("/v1/health", service.health, methods=["GET"]),
        ],
        lifespan=lifespan,
    )
    app.state.service = service
    return app


def _json(status: int, code: str, message: str, *, retry: bool = False) -> JSONResponse:
    headers = {"Retry-After": str(RETRY_AFTER)} if retry else None
    return JSONResponse(
        {"status": "refused", "refusal": code, "message": message},
        status_code=status,
        headers=headers,
    )


def _too_large(limit: int) -> JSONResponse:
    return _json(
        413,
        "too_large",
        f"上报包超过县级服务允许的大小（{limit // MB} MB），请改用 U 盘带去，或请县级调高 --max-bundle-mb。",
    )


def _sha256_file(path: Path) -> bytes:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.digest()


def run(app: Starlette, host: str, port: int, *, certfile: str | None, keyfile: str | None) -> None:
    """Serve until interrupted (uvicorn; TLS when a certificate is given)."""
    import uvicorn

    with suppress(KeyboardInterrupt):
        uvicorn.run(
            app,
            host=host,
            port=port,
            ssl_certfile=certfile,
            ssl_keyfile=keyfile,
            access_log=False,  # our own line per request, without addresses' query strings
            log_level="info",
            timeout_keep_alive=15,
        )
