"""Alembic environment for the tripolar store.

tripolar runs migrations itself when a store is opened (:func:`tripolar.store.open_store`)
and passes its open connection in ``config.attributes["connection"]``. Developers can also
run ``alembic -c src/tripolar/store/alembic.ini ...``; the URL then comes from
``-x store=LOCATION``, the ini file's ``sqlalchemy.url``, or the usual default location.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from tripolar.store.location import create_store_engine, resolve_location
from tripolar.store.models import Base

config = context.config
target_metadata = Base.metadata


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things in place; batch mode copies the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        transactional_ddl=True,
    )


def _location_text() -> str | None:
    return context.get_x_argument(as_dictionary=True).get("store") or config.get_main_option(
        "sqlalchemy.url"
    )


def run_migrations_offline() -> None:
    location = resolve_location(_location_text())
    context.configure(
        url=location.url,
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=location.url.get_backend_name() == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_store_engine(resolve_location(_location_text()))
    try:
        with engine.connect() as conn:
            _configure(conn)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
