"""Microsoft Teams channel for Rasa, built on Rasa 3.6's ``botframework`` connector.

Same name and URL as Rasa's channel (``POST /webhooks/botframework/webhook``, health on
``GET /webhooks/botframework/``), so Azure's messaging endpoint and channel-specific responses
(``channel: botframework``) keep working. What is replaced, and why:

* authentication (:mod:`bot.channels.teams.auth`): full token checks, keys fetched lazily so
  start-up never depends on Microsoft being reachable;
* sending (:mod:`bot.channels.teams.connector`): aiohttp instead of blocking ``requests``, a
  cached token per channel (single-tenant aware), retries with backoff;
* activities (:mod:`bot.channels.teams.activity`): buttons as Hero cards whose clicks come
  back as the payload, mentions stripped, welcome on install, a documented rule for every other
  type;
* identity (docs/privacy-tech.md, "Identity"): the conversation key is the keyed hash of
  ``msteams:<conversation id>`` of the verified activity (:func:`bot.privacy.channel.
  protect_incoming`), never of an AAD object id a colleague could look up. No Teams names or
  AAD ids go into the message metadata. With a configured tenant → municipality map, the
  metadata carries the municipality code and a signed identity claim whose employee key is
  derived from ``aadObjectId`` exactly as the widget derives it from the token's ``oid``, so
  one person has one key in both channels. Nothing in the activity's ``channelData`` or
  ``value`` can add identity;
* the webhook answers at once and handles the activity in the background, one conversation at
  a time (:mod:`bot.channels.teams.dispatch`); redeliveries of the same activity are dropped;
* ``deleteUserData`` erases the conversation as "verwijder mijn gegevens" does
  (:func:`erase_conversation`; Rasa's channel ignores it).

Configuration: the keys of :class:`TeamsConfig` in ``credentials.yml`` or the ``KOERS_TEAMS_*``
environment variables (``bot.config``); the channel is off (503) while no app id and password
are set, so it can stay in ``credentials.yml``.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import json
import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from rasa.core.channels.botframework import BotFramework, BotFrameworkInput
from rasa.core.channels.channel import UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels import identity as ids
from bot.channels.guards import guard_failures
from bot.channels.teams import texts
from bot.channels.teams.activity import (
    HERO_CARD,
    Incoming,
    Kind,
    card_action,
    image_activity,
    interpret,
    message_activity,
)
from bot.channels.teams.auth import (
    BOTFRAMEWORK_ISSUER,
    AuthError,
    KeysUnavailable,
    SigningKeys,
    TokenRules,
    validate_request,
)
from bot.channels.teams.connector import (
    AccessTokens,
    BotCredentials,
    ConnectorClient,
    DeliveryError,
    RetryPolicy,
    token_endpoint_for,
)
from bot.channels.teams.dispatch import OrderedDispatcher, RecentIds
from bot.config import Settings, load_settings
from bot.privacy.channel import protect_incoming
from bot.privacy.pseudonym import Pseudonymizer, get_pseudonymizer

logger = logging.getLogger(__name__)

DEFAULT_OPENID_METADATA_URL = "https://login.botframework.com/v1/.well-known/openidconfiguration"
METADATA_MUNICIPALITY = ids.METADATA_MUNICIPALITY
DRAIN_SECONDS = 20.0

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


def parse_tenant_map(entries: Iterable[str] | Mapping[str, str] | str | None) -> dict[str, str]:
    """``"tenant-id=GM0363,other=GM0518"`` (or a mapping) as {tenant id (lower case): code}."""
    if not entries:
        return {}
    if isinstance(entries, Mapping):
        pairs = [(str(k), str(v)) for k, v in entries.items()]
    else:
        items = entries.split(",") if isinstance(entries, str) else list(entries)
        pairs = []
        for item in items:
            tenant, sep, code = str(item).partition("=")
            if not sep or not tenant.strip() or not code.strip():
                raise ValueError(f"tenant map entry must look like <tenant id>=<code>: {item!r}")
            pairs.append((tenant, code))
    return {tenant.strip().lower(): code.strip() for tenant, code in pairs}


def _flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in {"1", "true", "yes", "ja", "on"}


@dataclass(frozen=True)
class TeamsConfig:
    """Everything the channel needs; see :meth:`from_sources` for where it comes from."""

    app_id: str = ""
    app_password: str = ""
    tenant_id: str = ""
    openid_metadata_url: str = DEFAULT_OPENID_METADATA_URL
    token_endpoint: str = ""  # empty: derived from tenant_id
    issuer: str = BOTFRAMEWORK_ISSUER
    leeway_seconds: float = 300.0
    tenant_municipalities: Mapping[str, str] = field(default_factory=dict)
    max_text_chars: int = 2000
    max_body_bytes: int = 256 * 1024
    allow_insecure_service_url: bool = False
    key_refresh_hours: float = 24.0
    key_min_refresh_seconds: float = 30.0
    http_timeout_seconds: float = 15.0
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    identity_secret: str = ""  # KOERS_IDENTITY_SECRET: signs the identity claim

    def __post_init__(self) -> None:
        # tenant ids are GUIDs: compare them case-insensitively
        object.__setattr__(
            self, "tenant_municipalities", parse_tenant_map(self.tenant_municipalities)
        )

    @property
    def enabled(self) -> bool:
        return bool(self.app_id and self.app_password)

    @property
    def resolved_token_endpoint(self) -> str:
        return self.token_endpoint or token_endpoint_for(self.tenant_id)

    @classmethod
    def from_sources(
        cls, credentials: Mapping[str, Any] | None, settings: Settings | None = None
    ) -> TeamsConfig:
        """Keys from credentials.yml win over the ``KOERS_TEAMS_*`` environment variables.

        Keep the app password in the environment (``KOERS_TEAMS_APP_PASSWORD``), not in files.
        """
        settings = settings or load_settings()
        given = {k: v for k, v in (credentials or {}).items() if v not in (None, "")}

        def pick(key: str, fallback: Any) -> Any:
            return given.get(key, fallback)

        retry = RetryPolicy(
            max_attempts=int(pick("retry_max_attempts", RetryPolicy.max_attempts)),
            base_delay_seconds=float(pick("retry_base_seconds", RetryPolicy.base_delay_seconds)),
            max_delay_seconds=float(pick("retry_max_delay_seconds", RetryPolicy.max_delay_seconds)),
            timeout_seconds=float(pick("http_timeout_seconds", RetryPolicy.timeout_seconds)),
        )
        return cls(
            app_id=str(pick("app_id", settings.teams_app_id)).strip(),
            app_password=str(pick("app_password", settings.teams_app_password)),
            tenant_id=str(pick("tenant_id", settings.teams_tenant_id)).strip(),
            openid_metadata_url=str(
                pick("openid_metadata_url", settings.teams_openid_metadata_url)
                or DEFAULT_OPENID_METADATA_URL
            ),
            token_endpoint=str(pick("token_endpoint", settings.teams_token_endpoint)),
            tenant_municipalities=parse_tenant_map(
                pick("tenant_municipalities", settings.teams_tenant_municipalities)
            ),
            max_text_chars=int(pick("max_text_chars", settings.teams_max_text_chars)),
            allow_insecure_service_url=_flag(
                pick("allow_insecure_service_url", settings.teams_allow_insecure_service_url)
            ),
            key_min_refresh_seconds=float(pick("key_min_refresh_seconds", 30.0)),
            http_timeout_seconds=retry.timeout_seconds,
            retry=retry,
            identity_secret=settings.identity_secret,
        )


class TeamsOutput(BotFramework):
    """Replies into one Teams conversation, through the shared :class:`ConnectorClient`.

    Addressed by the conversation of the incoming activity, whatever ``recipient_id`` Rasa
    passes (that is the pseudonym, or the raw id via the privacy wrapper).
    """

    def __init__(
        self,
        connector: ConnectorClient,
        service_url: str,
        conversation: Mapping[str, Any],
        bot: Mapping[str, Any],
        user: Mapping[str, Any],
    ) -> None:
        # BotFramework.__init__ only stores fields; these keep its attributes meaningful
        self.connector = connector
        self.service_url = service_url
        self.conversation = dict(conversation)
        self.bot = {"id": bot.get("id"), "name": bot.get("name")}
        self.user = {"id": user.get("id")}
        self.global_uri = f"{service_url.rstrip('/')}/v3/"
        self.app_id = ""
        self.app_password = ""

    @classmethod
    def name(cls) -> str:
        return "botframework"

    async def _post(self, body: Mapping[str, Any]) -> None:
        activity = {
            **body,
            "from": self.bot,
            "recipient": self.user,
            "conversation": {"id": self.conversation.get("id")},
        }
        try:
            await self.connector.send(self.service_url, str(self.conversation["id"]), activity)
        except DeliveryError as exc:
            logger.error("Teams reply not delivered: %s", exc)

    async def send(self, message_data: dict[str, Any]) -> None:
        """Rasa's BotFramework API: post an already prepared activity."""
        await self._post(message_data)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self._post(message_activity(text))

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        await self._post(message_activity(text, buttons))

    async def send_quick_replies(
        self, recipient_id: str, text: str, quick_replies: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        await self._post(message_activity(text, quick_replies))

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        await self._post(image_activity(image))

    async def send_attachment(self, recipient_id: str, attachment: Any, **kwargs: Any) -> None:
        if isinstance(attachment, Mapping) and attachment.get("contentType"):
            await self._post({"type": "message", "attachments": [dict(attachment)]})
        else:
            await self._post(message_activity(str(attachment)))

    async def send_elements(
        self, recipient_id: str, elements: Iterable[Mapping[str, Any]], **kwargs: Any
    ) -> None:
        for element in elements:
            content: dict[str, Any] = {
                "title": str(element.get("title") or ""),
                "subtitle": str(element.get("subtitle") or ""),
                "buttons": [card_action(button) for button in element.get("buttons") or []],
            }
            if element.get("image_url"):
                content["images"] = [{"url": element["image_url"]}]
            await self._post(
                {"type": "message", "attachments": [{"contentType": HERO_CARD, "content": content}]}
            )

    async def send_custom_json(
        self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any
    ) -> None:
        await self._post({"type": "message", **json_message})


async def erase_conversation(agent: Any, keys: Sequence[str]) -> int:
    """Deletes the conversation stored under ``keys`` and its linked data (preparation
    sheets, erasure hooks) through the tracker store's own erasure, the path "verwijder mijn
    gegevens" takes, under Rasa's conversation lock so no turn on any instance interleaves.
    Returns the number of events deleted; logs only the pseudonymous key."""
    store = getattr(agent, "tracker_store", None)
    store = getattr(store, "_tracker_store", store)  # Rasa wraps it in a FailSafeTrackerStore
    # the store's own pool when it has one (erase_conversation), else a thread
    delete = getattr(store, "erase_conversation", None) or getattr(
        store, "delete_conversation", None
    )
    if delete is None or not keys:
        logger.error("Teams deleteUserData not handled: the tracker store cannot erase")
        return 0
    lock_store = getattr(agent, "lock_store", None)
    events = 0
    async with lock_store.lock(keys[0]) if lock_store is not None else contextlib.nullcontext():
        for key in keys:
            if inspect.iscoroutinefunction(delete):
                report = await delete(key)
            else:
                report = await asyncio.to_thread(delete, key)
            events += int(getattr(report, "events", 0) or 0)
    logger.info(
        "Erased conversation %s on request (Teams deleteUserData, %d events)", keys[0], events
    )
    return events


def _service_url_allowed(service_url: Any, allow_insecure: bool) -> bool:
    if not isinstance(service_url, str):
        return False
    parts = urlsplit(service_url)
    if not parts.netloc:
        return False
    return parts.scheme == "https" or (allow_insecure and parts.scheme == "http")


class TeamsInput(BotFrameworkInput):
    """The Teams webhook; see the module docstring."""

    @classmethod
    def name(cls) -> str:
        return "botframework"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> TeamsInput:
        config = TeamsConfig.from_sources(credentials)
        if config.enabled:
            ids.check_identity_secret(config.identity_secret)  # refuse to start without it
        return cls(config)

    def __init__(self, config: TeamsConfig, pseudonymizer: Pseudonymizer | None = None) -> None:
        # Not BotFrameworkInput.__init__: it downloads the keys synchronously at start-up.
        self.config = config
        self.app_id = config.app_id
        self.app_password = config.app_password
        self._pseudonymizer = pseudonymizer
        self._session: aiohttp.ClientSession | None = None
        self._session_loop: asyncio.AbstractEventLoop | None = None
        self.keys = SigningKeys(
            config.openid_metadata_url,
            self._client_session,
            refresh_hours=config.key_refresh_hours,
            min_refresh_seconds=config.key_min_refresh_seconds,
            timeout_seconds=config.http_timeout_seconds,
        )
        self.rules = TokenRules(config.app_id, config.issuer, config.leeway_seconds)
        self.tokens = AccessTokens(
            BotCredentials(config.app_id, config.app_password, config.resolved_token_endpoint),
            self._client_session,
            config.retry,
        )
        self.connector = ConnectorClient(self.tokens, self._client_session, config.retry)
        self.dispatcher = OrderedDispatcher()
        self.recent = RecentIds.from_settings()  # in Redis when configured
        self._prefetch: asyncio.Task[bool] | None = None
        if not config.enabled:
            logger.warning(
                "Teams channel is off: set KOERS_TEAMS_APP_ID and KOERS_TEAMS_APP_PASSWORD"
            )

    async def _client_session(self) -> aiohttp.ClientSession:
        """One aiohttp session per event loop, created on first use (never at import time)."""
        loop = asyncio.get_running_loop()
        if self._session is None or self._session.closed or self._session_loop is not loop:
            self._session = aiohttp.ClientSession()
            self._session_loop = loop
        return self._session

    async def close(self) -> None:
        await self.dispatcher.drain(DRAIN_SECONDS)
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    def pseudonymizer(self) -> Pseudonymizer:
        return self._pseudonymizer or get_pseudonymizer()

    def _metadata(self, activity: Mapping[str, Any], sender: Mapping[str, Any]) -> dict[str, Any]:
        """Municipality and signed identity claim for a mapped tenant; never names or AAD ids.

        Only called for an activity whose token :func:`validate_request` verified.
        """
        channel_data = activity.get("channelData") or {}
        tenant = (channel_data.get("tenant") or {}) if isinstance(channel_data, dict) else {}
        tenant_id = tenant.get("id") or (activity.get("conversation") or {}).get("tenantId")
        if not isinstance(tenant_id, str):
            return {}
        code = self.config.tenant_municipalities.get(tenant_id.strip().lower())
        if not code:
            return {}
        metadata: dict[str, Any] = {METADATA_MUNICIPALITY: code}
        aad = sender.get("aadObjectId")
        if not (isinstance(aad, str) and aad.strip()):
            return metadata
        try:
            keys = ids.employee_keys(aad, self.pseudonymizer())
            metadata[ids.METADATA_IDENTITY] = ids.sign_identity(
                code, keys, ids.CHANNEL_TEAMS, self.config.identity_secret
            )
        except (ValueError, ids.IdentityConfigError) as exc:
            logger.warning("Teams identity not passed on: %s", type(exc).__name__)
        return metadata

    async def _handle(
        self, activity: Mapping[str, Any], incoming: Incoming, on_new_message: OnNewMessage
    ) -> HTTPResponse:
        conversation = activity.get("conversation") or {}
        sender = activity.get("from") or {}
        bot = activity.get("recipient") or {}
        if not isinstance(conversation, Mapping) or not conversation.get("id"):
            return response.json({"error": "activity without conversation"}, status=400)
        if not isinstance(sender, Mapping) or not sender.get("id"):
            return response.json({"error": "activity without sender"}, status=400)
        activity_id = activity.get("id")
        if activity_id and await self.recent.seen_before(f"{conversation['id']}|{activity_id}"):
            logger.info("Teams activity delivered twice; handled once")
            return response.empty(status=200)
        output = TeamsOutput(
            self.connector,
            str(activity["serviceUrl"]),
            conversation,
            bot if isinstance(bot, Mapping) else {},
            sender,
        )
        key = str(conversation["id"])
        if incoming.kind is Kind.ATTACHMENT_ONLY:
            self.dispatcher.submit(key, lambda: output.send_text_message("", texts.ATTACHMENT_ONLY))
        elif incoming.kind is Kind.TOO_LONG:
            answer = texts.TOO_LONG.format(limit=self.config.max_text_chars)
            self.dispatcher.submit(key, lambda: output.send_text_message("", answer))
        else:
            message = UserMessage(
                text=incoming.text,
                output_channel=output,
                sender_id=key,  # the verified activity's conversation id
                input_channel=self.name(),
                message_id=str(activity_id) if activity_id else None,
                metadata=self._metadata(activity, sender) or None,
            )
            protected = protect_incoming(message, ids.CHANNEL_TEAMS, self.pseudonymizer())
            self.dispatcher.submit(key, lambda: on_new_message(protected))
        return response.empty(status=200)

    def _erase_later(self, agent: Any, activity: Mapping[str, Any]) -> HTTPResponse:
        """``deleteUserData``: erase this conversation as "verwijder mijn gegevens" does.

        Teams gets its 200 at once; the erasure waits behind the conversation's pending turns
        in the dispatcher (so none of them writes events back afterwards). Keyed by the
        verified activity's conversation id, under the current and the previous key.
        """
        conversation = activity.get("conversation") or {}
        if not isinstance(conversation, Mapping) or not conversation.get("id"):
            return response.json({"error": "activity without conversation"}, status=400)
        raw_id = str(conversation["id"])
        keys = self.pseudonymizer().candidates(ids.channel_raw_id(ids.CHANNEL_TEAMS, raw_id))
        self.dispatcher.submit(raw_id, lambda: erase_conversation(agent, keys))
        return response.empty(status=200)

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        # the same guard as the REST and socket.io channels: a Dutch "try again" when Rasa or
        # the action server fails, instead of silence
        on_new_message = guard_failures(on_new_message)
        webhook_bp = Blueprint("botframework_webhook", __name__)

        @webhook_bp.listener("after_server_start")
        async def prefetch_keys(app: Any, loop: Any) -> None:
            if self.config.enabled:
                # a failure only logs; the first request tries again
                self._prefetch = loop.create_task(self.keys.refresh())

        @webhook_bp.listener("before_server_stop")
        async def finish(app: Any, loop: Any) -> None:
            await self.close()

        @webhook_bp.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json(
                {"status": "ok" if self.config.enabled else "off", "keys": self.keys.loaded}
            )

        @webhook_bp.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> HTTPResponse:
            if not self.config.enabled:
                return response.json({"error": "Teams channel not configured"}, status=503)
            body = request.body or b""
            if len(body) > self.config.max_body_bytes:
                return response.json({"error": "request too large"}, status=413)
            try:
                activity = json.loads(body)
            except ValueError:
                activity = None
            if not isinstance(activity, dict):
                return response.json({"error": "body must be a JSON activity"}, status=400)
            try:
                await validate_request(
                    request.headers.get("Authorization"), activity, self.keys, self.rules
                )
            except AuthError as exc:
                logger.warning("Teams request refused: %s", exc)
                return response.json({"error": "unauthorized"}, status=401)
            except KeysUnavailable:
                logger.warning("Teams request deferred: no signing keys yet")
                return response.json(
                    {"error": "try again later"}, status=503, headers={"Retry-After": "10"}
                )
            if not _service_url_allowed(
                activity.get("serviceUrl"), self.config.allow_insecure_service_url
            ):
                logger.warning("Teams request refused: service URL is not https")
                return response.json({"error": "serviceUrl must be https"}, status=400)
            incoming = interpret(activity, self.config.max_text_chars)
            if incoming.kind is Kind.IGNORE:
                logger.debug("Teams activity ignored: %s", incoming.reason)
                return response.empty(status=200)
            if incoming.kind is Kind.DELETE_USER_DATA:
                return self._erase_later(getattr(request.app.ctx, "agent", None), activity)
            return await self._handle(activity, incoming, on_new_message)

        return webhook_bp
