"""Custom action calls over kept-alive connections, with a faster JSON encoder.

Rasa 3.6 opens a new ``aiohttp.ClientSession`` (and so a new TCP connection) for every call to
the action server and encodes the whole tracker with the standard ``json`` module. Under load
that was a tenth of the Rasa server's time. Here each action endpoint gets one long-lived
session per event loop, whose connections are kept alive for a few seconds (less than the
action server's own keep-alive of 5 s, so a connection the server is closing is not reused),
and the body is encoded with ``ujson`` (already installed with Rasa), falling back to ``json``
for anything ujson refuses. Everything else is Rasa's own ``EndpointConfig.request``: headers,
token, compression, certificates and the errors a form's rejection depends on. Every call
carries the action server's header secret (:func:`with_action_secret`).
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import aiohttp
import ujson
from rasa.utils.endpoints import DEFAULT_REQUEST_TIMEOUT, EndpointConfig

from bot.action_secret import ACTION_SECRET_HEADER
from bot.config import load_settings
from bot.rasa_ext.patches.target import PatchedFunction

logger = logging.getLogger(__name__)
KEEPALIVE_SECONDS = 4.0
MAX_CONNECTIONS = 64
_POOLED_ATTRIBUTE = "_koers_pooled"
TARGETS = (
    PatchedFunction(
        "rasa.core.actions.action",
        "RemoteAction",
        "__init__",
        "69103389ee02de80ac78baf49a0b7079d291ed51b70fdf9ee5ddb1684d86109c",
    ),
)


def fast_json_dumps(value: Any) -> str:
    """The same JSON as ``json.dumps(value)`` would carry, encoded faster when possible."""
    try:
        return ujson.dumps(value, ensure_ascii=False, escape_forward_slashes=False)
    except (TypeError, OverflowError, ValueError):
        return json.dumps(value)


def with_action_secret(headers: dict[str, Any] | None) -> dict[str, Any]:
    """``headers`` plus the action server's header secret (``KOERS_ACTION_SECRET``).

    The action server refuses calls without it (:mod:`actions.server`). ``endpoints.yml``
    sends it through ``headers:``; an endpoints file that forgot it still works, and one that
    sets it keeps its own value.
    """
    merged = dict(headers or {})
    secret = load_settings().action_secret
    present = {name.lower() for name in merged}
    if secret and ACTION_SECRET_HEADER.lower() not in present:
        merged[ACTION_SECRET_HEADER] = secret
    return merged


class _KeptSession:
    """``async with`` yields the shared session and leaves it open."""

    def __init__(self, session: aiohttp.ClientSession) -> None:
        self._session = session

    async def __aenter__(self) -> aiohttp.ClientSession:
        return self._session

    async def __aexit__(self, *_exc: object) -> bool:
        return False


class PooledEndpointConfig(EndpointConfig):
    """An :class:`EndpointConfig` whose requests share one session per event loop."""

    _sessions: dict[asyncio.AbstractEventLoop, aiohttp.ClientSession]

    @classmethod
    def wrapping(cls, endpoint: EndpointConfig) -> PooledEndpointConfig:
        headers = with_action_secret(endpoint.headers)
        pooled = cls(
            url=endpoint.url,
            params=endpoint.params,
            headers=headers,
            basic_auth=endpoint.basic_auth,
            token=endpoint.token,
            token_name=endpoint.token_name,
            cafile=endpoint.cafile,
            **endpoint.kwargs,
        )
        pooled.type = endpoint.type
        return pooled

    def _shared_session(self) -> aiohttp.ClientSession:
        if not hasattr(self, "_sessions"):
            self._sessions = {}
        loop = asyncio.get_running_loop()
        session = self._sessions.get(loop)
        if session is None or session.closed:
            auth = (
                aiohttp.BasicAuth(self.basic_auth["username"], self.basic_auth["password"])
                if self.basic_auth
                else None
            )
            connector = aiohttp.TCPConnector(
                limit=MAX_CONNECTIONS, keepalive_timeout=KEEPALIVE_SECONDS
            )
            session = aiohttp.ClientSession(
                headers=self.headers,
                auth=auth,
                connector=connector,
                timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
                json_serialize=fast_json_dumps,
            )
            self._sessions = {
                known: s for known, s in self._sessions.items() if not known.is_closed()
            }
            self._sessions[loop] = session
        return session

    def session(self) -> Any:  # used by EndpointConfig.request as ``async with``
        return _KeptSession(self._shared_session())

    async def close(self) -> None:
        """Close the session of the running loop (at server shutdown)."""
        loop = asyncio.get_running_loop()
        session = getattr(self, "_sessions", {}).pop(loop, None)
        if session is not None:
            await session.close()


def pooled(endpoint: EndpointConfig | None) -> EndpointConfig | None:
    """The pooled twin of ``endpoint``, made once and remembered on the endpoint itself."""
    if endpoint is None or isinstance(endpoint, PooledEndpointConfig):
        return endpoint
    twin = getattr(endpoint, _POOLED_ATTRIBUTE, None)
    if twin is None:
        twin = PooledEndpointConfig.wrapping(endpoint)
        setattr(endpoint, _POOLED_ATTRIBUTE, twin)
    return twin


async def close_pooled(endpoint: EndpointConfig | None) -> None:
    """Close the shared session that :func:`pooled` made for ``endpoint``, if any."""
    twin = getattr(endpoint, _POOLED_ATTRIBUTE, None) if endpoint is not None else None
    if isinstance(twin, PooledEndpointConfig):
        await twin.close()


def install() -> None:
    """Make every :class:`RemoteAction` use the pooled endpoint (once: ``install_all``)."""
    from rasa.core.actions.action import RemoteAction

    original_init = RemoteAction.__init__

    def __init__(self: Any, name: str, action_endpoint: EndpointConfig | None) -> None:
        original_init(self, name, pooled(action_endpoint))

    RemoteAction.__init__ = __init__
    logger.debug("Custom action calls share kept-alive connections")
