"""Run calls at the same moment, each in its own thread and database connection.

Real races need PostgreSQL's row locks (SQLite serialises every writer), so the tests that use
this skip on SQLite with that reason.
"""

import threading
from collections.abc import Callable

from django.db import close_old_connections, connection


def race(*calls: Callable[[], object]) -> list[object]:
    """Start every call at once; return each call's result or the exception it raised."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[object] = [None] * len(calls)

    def run(index: int, call: Callable[[], object]) -> None:
        try:
            barrier.wait()
            outcomes[index] = call()
        except Exception as error:
            outcomes[index] = error
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes
