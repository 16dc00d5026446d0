"""One TCP proxy on 127.0.0.1 for the fault tests: it can cut, stall or swallow, for real.

It sits between a client and one upstream port (Rasa, PostgreSQL) with its own event loop in
a thread, so a test can make the failure a client really meets:

* :meth:`LoopbackProxy.cut`: every open connection dropped, new ones refused until
  :meth:`~LoopbackProxy.restore` (a dropped widget connection);
* ``swallow_downstream = True``: what the upstream sends is lost on the way (a reply lost);
* :meth:`LoopbackProxy.stall`: connections stay open and new ones are accepted, but no byte
  goes through in either direction until :meth:`~LoopbackProxy.resume`, then what was held
  back flows on (a hung database host or a network partition, unlike a refused connection).

Loopback only: it never connects anywhere but 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import threading
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any


class LoopbackProxy:
    """Forwards 127.0.0.1:``port`` to 127.0.0.1:``upstream_port``."""

    def __init__(self, upstream_port: int) -> None:
        self.upstream_port = upstream_port
        self.port = 0
        self.refusing = False
        self.swallow_downstream = False
        self._loop = asyncio.new_event_loop()
        self._flowing: asyncio.Event | None = None
        self._server: asyncio.base_events.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._started = threading.Event()
        self._thread = threading.Thread(target=self._run, name="loopback-proxy", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._flowing = asyncio.Event()
        self._flowing.set()
        self._server = self._loop.run_until_complete(
            asyncio.start_server(self._handle, "127.0.0.1", 0)
        )
        self.port = self._server.sockets[0].getsockname()[1]
        self._started.set()
        self._loop.run_forever()

    def start(self) -> LoopbackProxy:
        self._thread.start()
        if not self._started.wait(10):
            raise RuntimeError("proxy did not start")
        return self

    async def _pipe(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, downstream: bool
    ) -> None:
        assert self._flowing is not None
        try:
            while True:
                await self._flowing.wait()
                data = await reader.read(65536)
                if not data:
                    break
                await self._flowing.wait()  # read just before a stall: hold it back too
                if downstream and self.swallow_downstream:
                    continue
                writer.write(data)
                await writer.drain()
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            with contextlib.suppress(Exception):
                writer.close()

    async def _handle(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        if self.refusing:
            client_w.close()
            return
        try:
            up_r, up_w = await asyncio.open_connection("127.0.0.1", self.upstream_port)
        except OSError:
            client_w.close()
            return
        self._writers.update({client_w, up_w})
        try:
            await asyncio.gather(
                self._pipe(client_r, up_w, downstream=False),
                self._pipe(up_r, client_w, downstream=True),
            )
        finally:
            self._writers.difference_update({client_w, up_w})

    def _call(self, fn: Any) -> Any:
        async def run() -> Any:
            return fn()

        return asyncio.run_coroutine_threadsafe(run(), self._loop).result(10)

    def _abort_all(self) -> None:
        for writer in list(self._writers):
            with contextlib.suppress(Exception):
                writer.transport.abort()

    def cut(self) -> None:
        """Drop every open connection and refuse new ones until :meth:`restore`."""

        def close_all() -> None:
            self.refusing = True
            self._abort_all()

        self._call(close_all)

    def restore(self) -> None:
        def reopen() -> None:
            self.refusing = False
            self.swallow_downstream = False

        self._call(reopen)

    def stall(self) -> None:
        """Stop forwarding: open connections hang, new ones are accepted and hang."""
        assert self._flowing is not None
        self._call(self._flowing.clear)

    def resume(self) -> None:
        """Forward again, including what was held back."""
        assert self._flowing is not None
        self._call(self._flowing.set)

    def stop(self) -> None:
        def close() -> None:
            assert self._flowing is not None
            self._flowing.set()
            if self._server is not None:
                self._server.close()
            self._abort_all()

        self._call(close)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)


PG_URL = os.environ.get("KOERS_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


@contextlib.contextmanager
def proxied_postgres_schema() -> Iterator[tuple[str, LoopbackProxy]]:
    """A fresh schema on the test PostgreSQL, reached only through a :class:`LoopbackProxy`.

    Yields the database URL (through the proxy, with the schema as search path) and the
    proxy; the schema is dropped afterwards. Without PostgreSQL: skip, or fail in CI.
    """
    import pytest
    import sqlalchemy as sa

    admin = sa.create_engine(PG_URL, connect_args={"connect_timeout": 3})
    try:
        admin.connect().close()
    except sa.exc.OperationalError:
        admin.dispose()
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL not reachable at {PG_URL}")
        pytest.skip(f"PostgreSQL not reachable at {PG_URL}")
    schema = f"koers_stall_{uuid.uuid4().hex[:12]}"
    with admin.begin() as conn:
        conn.execute(sa.text(f'create schema "{schema}"'))
    url = sa.engine.make_url(PG_URL)
    proxy = LoopbackProxy(url.port or 5432).start()
    proxied = url.set(
        host="127.0.0.1", port=proxy.port, query={"options": f"-csearch_path={schema}"}
    )
    try:
        yield proxied.render_as_string(hide_password=False), proxy
    finally:
        proxy.stop()
        with admin.begin() as conn:
            conn.execute(sa.text(f'drop schema "{schema}" cascade'))
        admin.dispose()


@contextlib.asynccontextmanager
async def loop_ticks(every: float = 0.02) -> AsyncIterator[list[float]]:
    """The moments the event loop ticked while the block ran: a blocking call shows as a gap."""
    ticks: list[float] = []
    stop = asyncio.Event()

    async def heartbeat() -> None:
        while not stop.is_set():
            ticks.append(time.monotonic())
            await asyncio.sleep(every)

    beating = asyncio.ensure_future(heartbeat())
    try:
        yield ticks
    finally:
        stop.set()
        await beating


def tick_gaps(ticks: list[float]) -> list[float]:
    return [later - earlier for earlier, later in itertools.pairwise(ticks)]
