"""``inspector serve PROJECT [--host 127.0.0.1 --port 8765 --token T]``: the project as a local HTTP service.

For a vision system or PLC gateway on the line. FastAPI on uvicorn:

- ``POST /inspect`` with the image as the raw body (any content type) or as a multipart file field; query
  ``name`` (the part's name; default the upload's file name) and ``overlay=true`` (add the heatmap over the
  image as base64 PNG in ``overlay_png``). Answers JSON: score, verdict, thresholds, model_id, generation,
  image_id, ms. The part is recorded in the project like an inspection in the app (``--no-record``: not).
- ``GET /health``, ``GET /project`` (counts, model, thresholds), ``/docs`` (the framework's API page).

Bodies over ``--max-mb`` get 413, something that is not an image 415, with the reason; never a 500 for bad
input. The model scores one part at a time: concurrent requests wait in a queue (at most ``--queue``, then
503). Bound to anything but this computer, a token is required (``--token`` or ``INSPECTOR_TOKEN``) and
checked on every request: ``Authorization: Bearer T`` or ``X-Inspector-Token: T``.
"""


import argparse
import asyncio
import base64
import hmac
import logging
import os
import re
import tempfile
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from pathlib import Path

log = logging.getLogger("inspector.serve")
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
TOKEN_ENV = "INSPECTOR_TOKEN"
MAGIC = ((b"\x89PNG", ".png"), (b"\xff\xd8", ".jpg"), (b"BM", ".bmp"), (b"II*\x00", ".tif"), (b"MM\x00*", ".tif"),
         (b"RIFF", ".webp"))


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("serve", help="serve the project over HTTP (POST /inspect) for a vision system or PLC",
                       description="A local HTTP service: POST an image to /inspect, get its score and verdict.")
    p.add_argument("project", type=Path, metavar="PROJECT")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default %(default)s: this computer only)")
    p.add_argument("--port", type=int, default=8765)
    p.add_argument("--token", default=None,
                   help=f"require this token on every request (default: ${TOKEN_ENV}; required off this computer)")
    p.add_argument("--max-mb", type=float, default=50.0, help="largest image accepted, in MB (default 50)")
    p.add_argument("--queue", type=int, default=64, help="requests allowed to wait for the model (default 64)")
    p.add_argument("--no-record", action="store_true", help="score only; do not record the parts in the project")
    p.set_defaults(run=run)


class _Refused(Exception):
    def __init__(self, status: int, detail: str):
        super().__init__(detail)
        self.status, self.detail = status, detail


def safe_name(name: str | None, data: bytes) -> str:
    """A file name for an upload: its last path component, tame characters only, with an image extension."""
    base = re.sub(r"[^\w.\-]+", "_", Path(str(name or "")).name).strip("._")[:100] or "part"
    if not Path(base).suffix:
        base += next((ext for magic, ext in MAGIC if data.startswith(magic)), ".bin")
    return base


def create_app(project: str | Path, token: str | None = None, max_bytes: int = 50 << 20, queue: int = 64,
               record: bool = True):
    import cv2
    from fastapi import FastAPI, Request
    from fastapi.responses import JSONResponse
    from starlette.requests import Request as StarletteRequest

    from ..core.errors import InspectorError
    from ..core.io.images import ImageReadError
    from ..core.project.line import LineInspector

    worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="model")  # one model, one part at a time
    state: dict = {"waiting": 0}
    spool = tempfile.TemporaryDirectory(prefix="inspector-serve-")

    @asynccontextmanager
    async def lifespan(app):
        loop = asyncio.get_running_loop()
        state["line"] = await loop.run_in_executor(worker, lambda: LineInspector(project, record=record))
        yield
        await loop.run_in_executor(worker, state["line"].close)
        worker.shutdown(wait=True)
        spool.cleanup()

    app = FastAPI(title="Inspector", lifespan=lifespan,
                  description="Unsupervised visual inspection of one project. POST an image to /inspect.")

    @app.middleware("http")
    async def guard(request: Request, call_next):
        if token:
            given = request.headers.get("x-inspector-token") or ""
            auth = request.headers.get("authorization") or ""
            if auth.lower().startswith("bearer "):
                given = given or auth[7:].strip()
            if not hmac.compare_digest(given.encode(), token.encode()):
                return JSONResponse({"detail": "a valid token is required (Authorization: Bearer ...)"}, 401)
        length = request.headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > max_bytes):
            return JSONResponse({"detail": f"the body is larger than the limit of {max_bytes} bytes"}, 413,
                                headers={"Connection": "close"})
        return await call_next(request)

    async def run_on_model(fn):
        if state["waiting"] >= queue:
            raise _Refused(503, f"busy: {queue} requests are already waiting; try again shortly")
        state["waiting"] += 1
        try:
            return await asyncio.get_running_loop().run_in_executor(worker, fn)
        finally:
            state["waiting"] -= 1

    @app.exception_handler(_Refused)
    async def refused(request, exc: _Refused):
        return JSONResponse({"detail": exc.detail}, exc.status)

    @app.get("/health")
    async def health() -> dict:
        line = state["line"]
        return {"status": "ok" if line.ready else "no model", "model_id": line.model_id,
                "waiting": state["waiting"]}

    @app.get("/project")
    async def project_status() -> dict:
        def work():
            state["line"].refresh()
            return state["line"].status()
        return await run_on_model(work)

    async def read_body(request: Request) -> bytes:
        chunks, n = [], 0
        async for chunk in request.stream():
            n += len(chunk)
            if n > max_bytes:
                raise _Refused(413, f"the body is larger than the limit of {max_bytes} bytes")
            chunks.append(chunk)
        return b"".join(chunks)

    @app.post("/inspect", openapi_extra={"requestBody": {"content": {
        "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
        "multipart/form-data": {"schema": {"type": "object", "properties": {
            "file": {"type": "string", "format": "binary"}}}}}}})
    async def inspect(request: Request, overlay: bool = False, name: str | None = None):
        """Score one image: the raw body, or the first file of a multipart form."""
        body = await read_body(request)
        filename = name
        if request.headers.get("content-type", "").startswith("multipart/form-data"):
            async def replay():
                return {"type": "http.request", "body": body, "more_body": False}
            try:
                form = await StarletteRequest(request.scope, replay).form(max_part_size=max_bytes)
            except Exception as exc:  # a malformed form is the client's mistake
                raise _Refused(400, f"cannot read the multipart form: {exc}") from None
            upload = next((v for v in form.values() if hasattr(v, "read")), None)
            if upload is None:
                raise _Refused(400, "the form holds no file")
            body = await upload.read()
            filename = filename or upload.filename
        if not body:
            raise _Refused(400, "the body is empty: send the image bytes")
        part = safe_name(filename, body)
        folder = Path(spool.name) / uuid.uuid4().hex
        folder.mkdir()
        path = folder / part
        path.write_bytes(body)

        def work():
            line = state["line"]
            line.refresh()  # between parts: new thresholds or a retrained model take effect here
            result = line.score_file(path, part)
            out = result.to_json()
            if overlay:
                png = line.overlay_png(path, result)
                out["overlay_png"] = base64.b64encode(png).decode("ascii") if png else None
            return out

        try:
            return await run_on_model(work)
        except ImageReadError as exc:
            raise _Refused(415, f"not an image this service can read: {exc}") from None
        except cv2.error as exc:  # a decoder that gave up on a malformed file
            raise _Refused(415, f"not an image this service can read: {str(exc).strip()[-200:]}") from None
        except InspectorError as exc:
            raise _Refused(503, str(exc)) from None
        finally:
            path.unlink(missing_ok=True)
            folder.rmdir()

    return app


def run(args: argparse.Namespace) -> int:
    import uvicorn

    from ..core.errors import InvalidInput
    from ..core.project.store import Project

    token = args.token or os.environ.get(TOKEN_ENV) or None
    if args.host not in LOCAL_HOSTS and not token:
        raise InvalidInput(f"serving on {args.host} (reachable from other computers) needs a token: "
                           f"--token T or the environment variable {TOKEN_ENV}")
    Project.open(args.project, read_only=True).close()  # a clean one-line error for a folder that is not a project
    app = create_app(args.project, token, int(args.max_mb * (1 << 20)), args.queue, not args.no_record)
    print(f"serving {args.project} on http://{args.host}:{args.port} (API page: /docs; Ctrl+C to stop)", flush=True)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    return 0
