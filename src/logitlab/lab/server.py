"""The lab's web server: the static page, plotly.js from the installed plotly package, and the API."""

from __future__ import annotations

import threading
import webbrowser
from importlib import resources
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles

from .. import __version__
from .api import router

__all__ = ["create_app", "serve", "plotly_js_path"]

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


def create_app() -> FastAPI:
    """The FastAPI application: / serves the page, /api/* the computations."""
    app = FastAPI(title="logitlab lab", version=__version__, docs_url=None, redoc_url=None)

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
    def plotly_js() -> Response:
        path = plotly_js_path()
        headers = {"Cache-Control": "public, max-age=86400"}
        if path is not None:
            return FileResponse(path, media_type="application/javascript", headers=headers)
        from plotly.offline import get_plotlyjs

        return Response(get_plotlyjs(), media_type="application/javascript", headers=headers)

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(STATIC_DIR / "index.html", headers={"Cache-Control": "no-cache"})

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.add_middleware(BodyLimit, max_bytes=MAX_BODY_BYTES)
    return app


def serve(host: str = "127.0.0.1", port: int = 8765, open_browser: bool = False) -> None:
    """Run the lab on http://host:port until interrupted (loopback only unless told otherwise)."""
    import uvicorn

    url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}/"
    print(f"logitlab lab running at {url}  (Ctrl+C to stop)", flush=True)
    if open_browser:
        threading.Timer(1.0, lambda: webbrowser.open(url)).start()
    uvicorn.run(create_app(), host=host, port=port, log_level="warning")
