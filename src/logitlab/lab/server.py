"""The lab's web server: the static page, plotly.js from the installed plotly package, and the API.

It listens on loopback by default and guards itself as a local tool must: only the bound host and
the loopback names in ``Host`` (no DNS rebinding), no cross-origin requests, a cap on request
bodies, a bound on concurrent heavy computations, and no OpenAPI schema or docs pages.
"""

from __future__ import annotations

import functools
import gzip
import threading
import webbrowser
from importlib import resources
from pathlib import Path
from urllib.parse import urlsplit

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response

from .. import __version__
from .api import HEAVY_ROUTES, router

__all__ = ["create_app", "serve", "plotly_js_path", "LOOPBACK_NAMES", "MAX_HEAVY"]

STATIC_DIR = Path(str(resources.files(__package__).joinpath("static")))


def plotly_js_path() -> Path | None:
    """The plotly.min.js bundled with the plotly Python package (never fetched from a network)."""
    try:
        path = Path(str(resources.files("plotly").joinpath("package_data", "plotly.min.js")))
    except ModuleNotFoundError:
        return None
    return path if path.is_file() else None


#: Largest request body accepted (JSON or upload); the upload endpoint applies its own 2 MB cap.
MAX_BODY_BYTES = 8_000_000

#: Heavy computations (landscapes, paths, fits, descents) allowed at once; more get a 503. The
#: page itself runs at most three together, and two cores cannot serve more usefully.
MAX_HEAVY = 4

#: The names under which a loopback server may be reached; any other Host is refused (a DNS
#: rebinding page would send its own domain name).
LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})

#: Static files are sent gzip-compressed when the browser accepts it (plotly.js: 4.8 → 1.5 MB).
GZIP_LEVEL = 6


def _json_error(status: int, detail: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(status_code=status, content={"detail": detail}, headers=headers)


class HostOriginGuard:
    """ASGI middleware: refuse (400) a Host other than the bound host or a loopback name, and
    refuse (403) any request whose Origin is not this server's own (cross-site fetches, forms
    and multipart uploads from another page)."""

    def __init__(self, app, hosts: frozenset[str]) -> None:
        self.app, self.hosts = app, hosts

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers", []))
        host = headers.get(b"host", b"").decode("latin-1")
        name = urlsplit(f"//{host}").hostname or ""
        if name not in self.hosts and f"[{name}]" not in self.hosts:
            await _json_error(400, f"host: {host or '(none)'} is not this lab's address; open it "
                              "at http://127.0.0.1 (or localhost).")(scope, receive, send)
            return
        origin = headers.get(b"origin")
        if origin is not None and origin.decode("latin-1") != f"{scope.get('scheme', 'http')}://{host}":
            await _json_error(403, "origin: requests from other pages are refused; use the lab "
                              "page itself.")(scope, receive, send)
            return
        unsafe = scope.get("method") not in ("GET", "HEAD")  # a link from elsewhere may open the page
        if unsafe and headers.get(b"sec-fetch-site", b"same-origin") not in (b"same-origin", b"none"):
            await _json_error(403, "origin: cross-site requests are refused.")(scope, receive, send)
            return
        await self.app(scope, receive, send)


class HeavyLimit:
    """ASGI middleware: at most ``limit`` heavy routes run at once; beyond that answer 503 with
    Retry-After at once, instead of queueing work that would finish together much later."""

    def __init__(self, app, limit: int = MAX_HEAVY, routes: frozenset[str] = HEAVY_ROUTES) -> None:
        self.app, self.limit, self.routes, self.running = app, limit, routes, 0

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or scope.get("path") not in self.routes:
            await self.app(scope, receive, send)
            return
        if self.running >= self.limit:  # one event loop: this check and the increment are atomic
            await _json_error(503, f"busy: {self.running} heavy computations are running; try again "
                              "in a moment.", {"Retry-After": "1"})(scope, receive, send)
            return
        self.running += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.running -= 1


class BodyLimit:
    """ASGI middleware: read the request body with a cap and refuse it (413) once it exceeds
    ``max_bytes``, whether or not the client sent a Content-Length; then replay it to the app."""

    def __init__(self, app, max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def refuse() -> None:
            await JSONResponse(status_code=413, content={
                "detail": f"body: the request is larger than {self.max_bytes / 1e6:g} MB."
            })(scope, receive, send)

        length = dict(scope.get("headers", [])).get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.max_bytes:
            await refuse()
            return
        chunks, total, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return
            chunk = message.get("body", b"")
            total += len(chunk)
            if total > self.max_bytes:
                await refuse()
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        replayed = False

        async def replay():
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": b"".join(chunks), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


def _field_name(loc: tuple) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "form")]
    return ".".join(parts) if parts else "body"


@functools.lru_cache(maxsize=16)
def _compressed(path: str, mtime: float) -> bytes:
    """A static file gzip-compressed once per version of it (keyed by its modification time)."""
    return gzip.compress(Path(path).read_bytes(), compresslevel=GZIP_LEVEL, mtime=0)


def _send_file(request: Request, path: Path, media_type: str, cache: str) -> Response:
    """The file, gzip-compressed when the client accepts gzip."""
    headers = {"Cache-Control": cache, "Vary": "Accept-Encoding"}
    if "gzip" in request.headers.get("accept-encoding", ""):
        body = _compressed(str(path), path.stat().st_mtime)
        headers["Content-Encoding"] = "gzip"
        return Response(body, media_type=media_type, headers=headers)
    return FileResponse(path, media_type=media_type, headers=headers)


_STATIC_TYPES = {".js": "application/javascript", ".css": "text/css", ".html": "text/html",
                 ".json": "application/json", ".png": "image/png"}


def allowed_hosts(host: str) -> frozenset[str]:
    """The Host names the server answers to: the loopback names, plus the bound host when it is
    a specific interface (on 0.0.0.0 or :: a remote user reaches it by the machine's address,
    which we cannot list, so only loopback names are accepted)."""
    extra = set() if host in ("0.0.0.0", "::", "") else {host.strip("[]"), f"[{host.strip('[]')}]"}
    return LOOPBACK_NAMES | extra


def create_app(host: str = "127.0.0.1", max_heavy: int = MAX_HEAVY) -> FastAPI:
    """The FastAPI application: / serves the page, /api/* the computations; no OpenAPI schema."""
    app = FastAPI(title="logitlab lab", version=__version__, docs_url=None, redoc_url=None,
                  openapi_url=None)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        msgs = []
        for e in errors[:5]:
            msgs.append(f"{_field_name(tuple(e.get('loc', ())))}: {e.get('msg', 'invalid')}")
        detail = "; ".join(msgs) + (f" (and {len(errors) - 5} more)" if len(errors) > 5 else "")
        fields = [_field_name(tuple(e.get("loc", ()))) for e in errors[:20]]
        return JSONResponse(status_code=422, content={"detail": detail, "fields": fields})

    app.include_router(router)

    @app.get("/vendor/plotly.min.js", include_in_schema=False)
    def plotly_js(request: Request) -> Response:
        path = plotly_js_path()
        if path is not None:
            return _send_file(request, path, "application/javascript", "public, max-age=86400")
        from plotly.offline import get_plotlyjs

        return Response(get_plotlyjs(), media_type="application/javascript")

    @app.get("/", include_in_schema=False)
    def index(request: Request) -> Response:
        return _send_file(request, STATIC_DIR / "index.html", "text/html", "no-cache")

    @app.get("/static/{name}", include_in_schema=False)
    def static(name: str, request: Request) -> Response:
        path = STATIC_DIR / name
        if "/" in name or name.startswith(".") or not path.is_file() \
                or path.suffix not in _STATIC_TYPES:
            return _json_error(404, f"static: no file {name!r}.")
        return _send_file(request, path, _STATIC_TYPES[path.suffix], "no-cache")

    app.add_middleware(HeavyLimit, limit=max_heavy)
    app.add_middleware(BodyLimit, max_bytes=MAX_BODY_BYTES)
    app.add_middleware(HostOriginGuard, hosts=allowed_hosts(host))
    return app


def _check_port(host: str, port: int) -> None:
    """Refuse an impossible or busy port with one clear message, before saying "running"."""
    import socket

    if not 0 < port < 65536:
        raise ValueError(f"--port {port} is not a port number; use 1–65535 (e.g. 8765).")
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise ValueError(f"cannot listen on {host}:{port} ({exc.strerror or exc}); the port is "
                             "probably in use: choose another with --port.") from None


def serve(host: str = "127.0.0.1", port: int = 8765, open_browser: bool = False) -> None:
    """Run the lab on http://host:port until interrupted (loopback only unless told otherwise)."""
    import uvicorn

    _check_port(host, port)
    url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}/"
    print(f"logitlab lab running at {url}  (Ctrl+C to stop)", flush=True)
    if open_browser:
        threading.Timer(1.0, lambda: webbrowser.open(url)).start()
    uvicorn.run(create_app(host), host=host, port=port, log_level="warning")
