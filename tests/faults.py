"""Faults for the reliability tests, made at the driver level: no mock of the database."""

import socket
from contextlib import contextmanager

from django.db import connection


def closed_port():
    """A loopback port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def database_down():
    """The default database refuses every new connection, as a stopped server would.

    The open driver connection is set aside (an in-memory SQLite test database lives in it) and
    the connection settings point at a place no database is: a missing directory for SQLite, a
    closed port for PostgreSQL. Use with `transactional_db`: a failed connect ends any atomic
    block the test would be in.
    """
    original_settings = connection.settings_dict
    original_connection = connection.connection
    unreachable = dict(original_settings)
    if connection.vendor == "sqlite":
        unreachable["NAME"] = "/nonexistent-directory/briefing.sqlite3"
    else:
        unreachable.update(HOST="127.0.0.1", PORT=str(closed_port()))
    connection.settings_dict = unreachable
    connection.connection = None
    try:
        yield
    finally:
        connection.settings_dict = original_settings
        connection.connection = original_connection
        connection.errors_occurred = False
