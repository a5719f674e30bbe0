"""Whether a response reached its client in full, known when the server closes it.

A client may give up before the answer is written: a download stopped half-way, a system that
timed out while the server was still computing. Metering must not charge such a call as served
(issue 22). Two places see it:

- a streaming response's content is watched: the server closing it before the last chunk
  (WSGI servers do on a failed write; so does the test client) leaves it undelivered;
- ``DeliveryTrackingApplication`` wraps the WSGI application: a response closed before the
  server had taken every chunk, or whose client had already closed the connection when the
  first chunk was to be written (gunicorn's ``gunicorn.socket``), is undelivered.

``response_delivery(response)`` starts the watch and returns what a ``close()`` callback reads.
"""

import select
import socket
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.http import HttpResponseBase, StreamingHttpResponse


class Delivery:
    def __init__(self) -> None:
        self.body_finished = True  # until a watched streaming body starts
        self.interrupted = False

    @property
    def delivered(self) -> bool:
        return self.body_finished and not self.interrupted


def response_delivery(response: HttpResponseBase) -> Delivery:
    """The response's delivery, watched from now on (once per response).

    A file the WSGI server sends itself (a ``FileResponse`` through ``wsgi.file_wrapper``, often
    by sendfile) and an async body (ASGI) cannot be watched here: they count as delivered."""
    delivery: Delivery | None = getattr(response, "_delivery", None)
    if delivery is not None:
        return delivery
    delivery = Delivery()
    if (
        isinstance(response, StreamingHttpResponse)
        and getattr(response, "file_to_stream", None) is None
    ):
        content = response.streaming_content
        if isinstance(content, Iterator):
            delivery.body_finished = False
            response.streaming_content = _watched(content, delivery)
    response._delivery = delivery  # type: ignore[attr-defined]  # read by the WSGI wrapper
    return delivery


def _watched(content: Iterable[bytes], delivery: Delivery) -> Iterator[bytes]:
    yield from content
    delivery.body_finished = True  # not reached when the server closes the generator early


def client_gone(connection: socket.socket | None) -> bool:
    """True when the client has closed its end: the socket reads as end of file. Pending bytes
    (a pipelined request) or no socket to look at mean it may still be there."""
    if connection is None:
        return False
    try:
        readable, _, _ = select.select([connection], [], [], 0)
        return bool(readable) and connection.recv(1, socket.MSG_PEEK) == b""
    except ValueError:  # a TLS socket refuses MSG_PEEK, or a closed one has no descriptor
        return False
    except OSError:  # reset by the peer
        return True


class _TrackedBody:
    def __init__(self, body: Any, delivery: Delivery, connection: socket.socket | None) -> None:
        self._body = body
        self._delivery = delivery
        self._connection = connection
        self._finished = False

    def __iter__(self) -> Iterator[bytes]:
        if client_gone(self._connection):
            self._delivery.interrupted = True
        yield from self._body
        self._finished = True

    def close(self) -> None:
        if not self._finished:
            self._delivery.interrupted = True
        self._body.close()


WSGIApplication = Callable[[dict[str, Any], Callable[..., Any]], Any]


class DeliveryTrackingApplication:
    """config/wsgi.py wraps Django's application in this; responses nobody watches pass as they
    are, and so do file wrappers (the server sends those itself)."""

    def __init__(self, application: WSGIApplication) -> None:
        self.application = application

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        body = self.application(environ, start_response)
        delivery = getattr(body, "_delivery", None)
        file_wrapper = environ.get("wsgi.file_wrapper")
        if delivery is None or (isinstance(file_wrapper, type) and isinstance(body, file_wrapper)):
            return body
        return _TrackedBody(body, delivery, environ.get("gunicorn.socket"))
