"""CLI: ``tripolar serve`` (the web app on the store)."""

from __future__ import annotations

from typing import Annotated

import typer


def serve(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8000,
    store: Annotated[
        str | None,
        typer.Option("--store", help="Store path or URL (default: the embedded SQLite store)."),
    ] = None,
) -> None:
    """Start the web app (forces, treaty builder, evaluation, compare, runs, negotiation
    room); API docs at /docs. It runs until stopped (Ctrl-C).

    Examples:
      tripolar serve
      tripolar serve --port 8080 --store postgresql+psycopg://analyst@localhost/tripolar
    """
    from tripolar.errors import InputError

    if not 1 <= port <= 65535:
        raise InputError(f"port {port}", field="--port", expected="1 to 65535")
    import uvicorn

    from tripolar.web.app import create_app

    app = create_app(store)
    typer.echo(
        f"tripolar web app on http://{host}:{port}/ (API docs at /docs); "
        f"store {app.state.store.location}"
    )
    try:
        # access_log off: at log level warning its lines are not shown, but still built
        uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)
    finally:
        app.state.jobs.shutdown()
        app.state.store.close()


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
