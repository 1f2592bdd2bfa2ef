"""The bare FastAPI endpoint `benchmarks/request_path.py` measures everything against.

    .venv/bin/python -m benchmarks.bare_app serve --port 8100 [--workers 1]

`POST /api/v1/offices/{office_id}/tickets` validates the path and the same JSON body as the real
issue endpoint (`TicketIn`, imported from the server so both parse exactly the same) and answers 201
with a small JSON: no database, no middleware, no estimate. `GET /api/v1/offices` answers `[]`,
so that `benchmarks.realtime_latency.server` sees it come up. It is served the way
`queue-server serve` serves the real app (`queue_server/cli.py: _serve`): `uvicorn.run` with an
app factory, log level info (access log included), proxy headers, one worker.
"""

from __future__ import annotations

import argparse
import sys
from typing import Annotated, Any

from fastapi import FastAPI, Path

from queue_server.api.schemas import MAX_ID, TicketIn

OfficeId = Annotated[int, Path(ge=1, le=MAX_ID)]


def create_app() -> FastAPI:
    app = FastAPI(title="bare endpoint")

    @app.get("/api/v1/offices")
    async def offices() -> list[Any]:
        return []

    @app.post("/api/v1/offices/{office_id}/tickets", status_code=201)
    async def issue(office_id: OfficeId, body: TicketIn) -> dict[str, Any]:
        return {"id": 1, "number": "A001", "office_id": office_id, "topic_id": body.topic_id}

    return app


def main(argv: list[str] | None = None) -> int:
    import uvicorn

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8100)
    serve.add_argument("--workers", type=int, default=1)
    args = parser.parse_args(argv)
    uvicorn.run(
        "benchmarks.bare_app:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level="info",
        proxy_headers=True,
        timeout_worker_healthcheck=30,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
