"""Koers's Rasa stores: the SQL tracker store that stores nothing personal
(:class:`ScrubbingSQLTrackerStore`) and the Redis lock store for several Rasa instances
(:class:`AtomicRedisLockStore`, at the end of this module).

Configure the tracker store in ``endpoints.yml``::

    tracker_store:
      type: bot.rasa_ext.stores.ScrubbingSQLTrackerStore
      # url: postgresql://koers@db:5432/koers   (optional; default KOERS_TRACKER_DB_URL,
      #                                          which defaults to sqlite:///var/tracker.db)

What changes against :class:`~rasa.core.tracker_store.SQLTrackerStore`:

* Every event is passed through :func:`bot.privacy.scrubber.scrub_event` just before it is
  written (and before it goes to an event broker): user text, parse data entities, slot values,
  bot texts and data, action texts and metadata. Intent names, action names, timestamps and
  confidences stay (the dialogue needs them). A failing scrubber stores ``[VERWIJDERD]``.
* The sender id is stored as a pseudonym (HMAC-SHA256, :mod:`bot.privacy.pseudonym`) unless it
  already is one. Trackers come back with the id the caller used, so replies still reach the
  channel; the database only ever holds the pseudonym. A conversation stored under the previous
  key is moved to the current key on first contact.
* Trackers read back contain the scrubbed events: from the next turn on, the bot sees
  ``[NAAM]`` where the user wrote a name. That is the point.
* Identity is never stored: the signed claim (``koers_identity``), employee keys and other
  credentials are dropped from every event's metadata and from the ``session_started_metadata``
  slot, which keeps only the municipality as a plain GM code (see :mod:`bot.channels.identity`).
* Entity-filled slots keep only canonical values (:mod:`bot.privacy.canonical`); voucher and
  booking codes in texts are masked; the booking-code slots the forms need from turn to turn
  are sealed (:mod:`bot.privacy.sealing`) and opened again when the tracker is read back.
* Retention runs in the background while the server is up; :meth:`delete_conversation` and
  :meth:`delete_idle_conversations` erase and purge on demand.
* Nothing blocks the server's event loop: reads, writes (scrubbing and name detection
  included), erasure and its hooks run in the bounded pool of :mod:`bot.rasa_ext.off_loop`, with
  connect and statement timeouts. Work on one conversation runs one at a time (a striped
  lock), so a write that got stuck on a stalled connection is finished before the next read.
* A database error that outlived the retries reaches the channel's guard (Dutch answer), not
  Rasa's ``FailSafeTrackerStore`` fallback: :mod:`bot.rasa_ext.patches.failsafe_store`.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import threading
import time
import zlib
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from contextlib import asynccontextmanager
from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import Any, TypeVar

import redis
import redis.asyncio
import sqlalchemy as sa
from rasa.core.brokers.broker import EventBroker
from rasa.core.lock import Ticket, TicketLock
from rasa.core.lock_store import (
    DEFAULT_SOCKET_TIMEOUT_IN_SECONDS,
    LOCK_LIFETIME,
    LockError,
    RedisLockStore,
)
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, Event, SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from rasa.utils.endpoints import EndpointConfig

from bot.config import load_settings
from bot.db.engine import settings_connect_args
from bot.privacy.canonical import CODE_SLOTS
from bot.privacy.channel import previous_conversation_key
from bot.privacy.constants import ERASE_ACTION
from bot.privacy.logging import install_log_privacy, remember_sender, remember_user_text
from bot.privacy.pseudonym import Pseudonymizer, get_pseudonymizer
from bot.privacy.retention import (
    ErasureReport,
    PurgeReport,
    erase,
    load_hooks,
    purge_idle,
    retention_loop,
)
from bot.privacy.scrubber import ScrubConfig, redacted_event, scrub_event
from bot.privacy.sealing import Sealer, is_sealed
from bot.rasa_ext.off_loop import DatabaseStalled, off_the_clock, retry_db, run_in_db_thread

logger = logging.getLogger(__name__)
# Finds the latest session start of a conversation with one index probe (see _event_query).
SESSION_INDEX = "ix_events_sender_type_timestamp"
#: Locks that keep work on one conversation in order across the pool's threads (bounded).
LOCK_STRIPES = 64
T = TypeVar("T")


def _ensure_sqlite_dir(url: str) -> None:
    prefix = "sqlite:///"
    if url.startswith(prefix) and url[len(prefix) :] not in {"", ":memory:"}:
        Path(url[len(prefix) :]).expanduser().parent.mkdir(parents=True, exist_ok=True)


class ScrubbingSQLTrackerStore(SQLTrackerStore):
    """SQL tracker store that scrubs events and pseudonymises conversation ids."""

    engine: sa.engine.Engine  # Rasa's, rebuilt with timeouts by _configure_engine

    def __init__(
        self,
        domain: Domain | None = None,
        host: str | None = None,
        url: str | None = None,
        dialect: str = "sqlite",
        port: int | None = None,
        db: str = "rasa.db",
        username: str | None = None,
        password: str | None = None,
        event_broker: EventBroker | None = None,
        login_db: str | None = None,
        query: dict[str, Any] | None = None,
        pseudonymizer: Pseudonymizer | None = None,
        scrub_config: ScrubConfig | None = None,
        retention_days: int | None = None,
        retention_interval_minutes: int | None = None,
        install_log_filter: bool = True,
        **kwargs: Any,
    ) -> None:
        settings = load_settings()
        if install_log_filter:
            install_log_privacy()
        target = url or host or settings.tracker_db_url
        if "://" in target:
            _ensure_sqlite_dir(target)
        self.pseudonymizer = pseudonymizer or get_pseudonymizer()
        self.sealer = Sealer(self.pseudonymizer)
        self.scrub_config = scrub_config
        self.retention_days = int(retention_days or settings.retention_days)
        self.retention_interval_minutes = int(
            settings.retention_interval_minutes
            if retention_interval_minutes is None
            else retention_interval_minutes
        )
        self.erasure_hook_paths = settings.erasure_hooks
        self.db_retry_seconds = settings.db_retry_seconds
        self._retention_task: asyncio.Task[None] | None = None
        self._stripes = tuple(threading.RLock() for _ in range(LOCK_STRIPES))
        self.retention_first_delay_seconds = 5.0
        super().__init__(
            domain=domain,
            dialect=dialect,
            host=target,
            port=port,
            db=db,
            username=username,
            password=password,
            event_broker=event_broker,
            login_db=login_db,
            query=query,
            **kwargs,
        )
        self._configure_engine()
        self._ensure_session_index()

    def _ensure_session_index(self) -> None:
        table = self.SQLEvent.__table__
        index = next((i for i in table.indexes if i.name == SESSION_INDEX), None)
        if index is None:
            index = sa.Index(SESSION_INDEX, table.c.sender_id, table.c.type_name, table.c.timestamp)
        try:
            index.create(self.engine, checkfirst=True)
        except sa.exc.SQLAlchemyError as exc:  # e.g. another instance created it just now
            logger.warning("Could not create index %s (%s)", SESSION_INDEX, type(exc).__name__)

    def _configure_engine(self) -> None:
        """Rebuild Rasa's engine with timeouts (:func:`settings_connect_args`).

        PostgreSQL also checks pooled connections before use, so a database restart costs no
        failed turn. An in-memory SQLite database is one connection shared by the threads.
        """
        old, url = self.engine, self.engine.url
        kwargs = create_engine_kwargs(url)
        kwargs["connect_args"] = settings_connect_args(url, kwargs.get("connect_args"))
        if self.engine.dialect.name == "sqlite":
            if url.database in (None, "", ":memory:"):
                kwargs["poolclass"] = sa.pool.StaticPool
        else:
            kwargs["pool_pre_ping"] = True
        self.engine = sa.create_engine(url, **kwargs)
        self.sessionmaker = sa.orm.sessionmaker(bind=self.engine)
        old.dispose()
        self.Base.metadata.create_all(self.engine)  # a no-op unless the database is in memory

    @contextlib.contextmanager
    def _in_order(self, sender_id: str) -> Iterator[None]:
        """Hold the lock of ``sender_id``'s stripe (in a pool thread, never on the loop).

        Waits no longer than the caller does: behind an operation stuck on a stalled
        connection, threads give up instead of filling the pool one by one.
        """
        lock = self._stripes[zlib.crc32(sender_id.encode("utf-8", "replace")) % LOCK_STRIPES]
        if not lock.acquire(timeout=max(self.db_retry_seconds, 1)):
            raise DatabaseStalled("an earlier operation on this conversation is still waiting")
        try:
            yield
        finally:
            lock.release()

    async def _db(self, sender_id: str, work: Callable[[], T], what: str) -> T:
        """``work`` for one conversation in the pool, in order, with retries (never on the loop)."""

        def ordered() -> T:
            with self._in_order(sender_id):
                return work()

        return await retry_db(ordered, self.db_retry_seconds, what)

    # -- ids

    def conversation_key(self, sender_id: str) -> str:
        """The id under which ``sender_id``'s conversation is stored."""
        key = self.pseudonymizer.conversation_id(sender_id)
        remember_sender(sender_id, key)
        return key

    def _key_for_read(self, sender_id: str) -> str:
        """Like :meth:`conversation_key`, moving a conversation stored under the previous key."""
        key = self.conversation_key(sender_id)
        if self.pseudonymizer.previous is None:
            return key
        # a channel hands over the current key of "channel:id"; its previous key comes along
        old = (
            previous_conversation_key(key)
            if self.pseudonymizer.is_pseudonym(sender_id)
            else self.pseudonymizer.candidates(sender_id)[1]
        )
        if old is None:
            return key
        events = self.SQLEvent.__table__
        with self.engine.begin() as conn:
            exists_new = conn.execute(
                sa.select(events.c.id).where(events.c.sender_id == key).limit(1)
            ).first()
            if exists_new is None:
                moved = conn.execute(
                    sa.update(events).where(events.c.sender_id == old).values(sender_id=key)
                ).rowcount
                if moved:
                    logger.info("Moved a conversation to the current pseudonym key (%s)", key)
        return key

    # -- reading

    def _event_query(
        self, session: Any, sender_id: str, fetch_events_from_all_sessions: bool
    ) -> Any:
        """Rasa's query, with the session start as a scalar sub-query.

        Rasa joins the sub-query; PostgreSQL then often runs it again for every event (a
        1,000-event conversation took 170 ms to read instead of 3 ms). A scalar sub-query is
        run once.
        """
        events = self.SQLEvent
        query = session.query(events).filter(events.sender_id == sender_id)
        if not fetch_events_from_all_sessions:
            session_start = (
                sa.select(sa.func.max(events.timestamp))
                .where(events.sender_id == sender_id, events.type_name == SessionStarted.type_name)
                .scalar_subquery()
            )
            query = query.filter(sa.or_(events.timestamp >= session_start, session_start.is_(None)))
        return query.order_by(events.id)

    async def _retrieve(
        self, sender_id: str, fetch_events_from_all_sessions: bool
    ) -> DialogueStateTracker | None:
        self._ensure_retention_task()

        def load() -> DialogueStateTracker | None:
            key = self._key_for_read(sender_id)
            with self.session_scope() as session:
                rows = self._event_query(
                    session, key, fetch_events_from_all_sessions=fetch_events_from_all_sessions
                ).all()
                events = [self._opened(json.loads(row.data), key) for row in rows]
            if not events:
                logger.debug("No stored conversation for %s", key)
                return None
            logger.debug("Recreating tracker for %s from %d events", key, len(events))
            # rebuilding a long conversation is CPU work too: keep it off the loop as well
            with off_the_clock():
                return DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)

        return await self._db(sender_id, load, "read a conversation")

    async def keys(self) -> Iterable[str]:
        """The stored (pseudonymous) conversation ids, read in the pool."""
        return await retry_db(
            lambda: list(self.conversation_ids()), self.db_retry_seconds, "list conversations"
        )

    # -- writing

    def serialise_event(self, event: Event, key: str = "") -> dict[str, Any]:
        """The scrubbed dict that is stored for ``event`` (never raises).

        ``key`` is the stored conversation id; a sealed code slot is bound to it.
        """
        try:
            data = event.as_dict()
        except Exception as exc:
            logger.warning(
                "Could not serialise a %s event (%s)", event.type_name, type(exc).__name__
            )
            data = {"event": event.type_name, "timestamp": getattr(event, "timestamp", None)}
            return redacted_event(data)
        if data.get("event") == "user" and isinstance(data.get("text"), str):
            remember_user_text(data["text"])
        return self._sealed(scrub_event(data, self.pseudonymizer.hash_id, self.scrub_config), key)

    def _sealed(self, data: dict[str, Any], key: str) -> dict[str, Any]:
        """A code slot's value encrypted: the form needs it next turn, a reader never."""
        value = data.get("value")
        if data.get("event") != "slot" or data.get("name") not in CODE_SLOTS:
            return data
        if not isinstance(value, str) or is_sealed(value):
            return data
        try:
            data["value"] = self.sealer.seal(value, key, data["name"])
        except Exception as exc:  # fail closed: the employee types the code again
            logger.warning("Could not seal a code slot (%s); stored empty", type(exc).__name__)
            data["value"] = None
        return data

    def _opened(self, data: Any, key: str) -> Any:
        """A stored event as the conversation needs it: sealed code slots opened."""
        if (
            isinstance(data, dict)
            and data.get("event") == "slot"
            and data.get("name") in CODE_SLOTS
            and is_sealed(data.get("value"))
        ):
            data["value"] = self.sealer.open(data["value"], key, data["name"])
        return data

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Store the tracker's new events, scrubbed, under the pseudonymous id.

        A turn in which the employee confirmed erasure (``action_erase_conversation``) is not
        stored: the whole conversation and its linked data are deleted instead.
        """
        await self.stream_events(tracker)
        await self._db(
            tracker.sender_id, lambda: self._store_new_events(tracker), "store a conversation"
        )
        self._ensure_retention_task()  # after the write, as when the write was blocking

    def _store_new_events(self, tracker: DialogueStateTracker) -> None:
        """Write the events not stored yet; repeatable after a failure (one transaction)."""
        key = self._key_for_read(tracker.sender_id)
        with self.session_scope() as session:
            stored = self._event_query(session, key, fetch_events_from_all_sessions=False).count()
        new_events = list(itertools.islice(tracker.events, stored, len(tracker.events)))
        if any(
            isinstance(event, ActionExecuted) and event.action_name == ERASE_ACTION
            for event in new_events
        ):
            report = self.delete_conversation(key)
            logger.info("Erased conversation %s on request (%d events)", key, report.events)
            return
        with self.session_scope() as session:
            for event in new_events:
                with off_the_clock():  # name detection (spaCy's first load) is not the database
                    data = self.serialise_event(event, key)
                intent = (data.get("parse_data") or {}).get("intent")
                intent_name = intent.get(INTENT_NAME_KEY) if isinstance(intent, dict) else None
                name = data.get("name")
                session.add(
                    self.SQLEvent(
                        sender_id=key,
                        type_name=event.type_name,
                        timestamp=data.get("timestamp"),
                        intent_name=intent_name,
                        action_name=name if isinstance(name, str) else None,
                        data=json.dumps(data, ensure_ascii=False),
                    )
                )
            session.commit()
        logger.debug("Stored new events for %s", key)

    async def _stream_new_events(
        self, event_broker: EventBroker, new_events: list[Event], sender_id: str
    ) -> None:
        """Events for an event broker are scrubbed and pseudonymised like stored ones.

        Scrubbing runs in the pool; the findings cache makes the write that follows reuse
        the name detection done here.
        """
        key = self.conversation_key(sender_id)

        def bodies() -> list[dict[str, Any]]:
            with off_the_clock():
                return [{"sender_id": key, **self.serialise_event(e, key)} for e in new_events]

        for body in await run_in_db_thread(bodies, self.db_retry_seconds, "scrub events"):
            event_broker.publish(body)

    # -- erasure and retention

    def stored_ids_for(self, conversation_id: str) -> list[str]:
        """Every id this conversation may be stored under (pseudonyms, and the id itself)."""
        if self.pseudonymizer.is_pseudonym(conversation_id):
            return [conversation_id]
        return [*self.pseudonymizer.candidates(conversation_id), conversation_id]

    def delete_conversation(self, conversation_id: str) -> ErasureReport:
        """Erase one conversation (pseudonymous or channel id) and its linked data (blocking)."""
        return erase(
            self.engine, self.stored_ids_for(conversation_id), load_hooks(self.erasure_hook_paths)
        )

    async def erase_conversation(self, conversation_id: str) -> ErasureReport:
        """:meth:`delete_conversation` in the pool: for callers on the event loop."""
        return await self._db(
            conversation_id,
            lambda: self.delete_conversation(conversation_id),
            "erase a conversation",
        )

    def delete_idle_conversations(
        self, days: int | None = None, now: datetime | None = None, dry_run: bool = False
    ) -> PurgeReport:
        """Delete conversations idle for more than ``days`` (default: the configured days)."""
        return purge_idle(
            self.engine,
            days or self.retention_days,
            now,
            load_hooks(self.erasure_hook_paths),
            dry_run,
        )

    def conversation_ids(self) -> Iterable[str]:
        """The stored (pseudonymous) conversation ids."""
        table = self.SQLEvent.__table__
        with self.engine.connect() as conn:
            return [r[0] for r in conn.execute(sa.select(table.c.sender_id).distinct())]

    def _ensure_retention_task(self) -> None:
        """Start the background retention loop once, inside the server's event loop."""
        if self._retention_task is not None or self.retention_interval_minutes <= 0:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        self._retention_task = loop.create_task(
            retention_loop(
                self.delete_idle_conversations,
                self.retention_interval_minutes,
                self.retention_first_delay_seconds,
            )
        )

    async def close(self) -> None:
        """Stop the retention loop and release database connections."""
        task, self._retention_task = self._retention_task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self.engine.dispose()


# --- the lock store ---------------------------------------------------------------------------


class Write(Enum):
    KEEP = "keep"  # leave the stored lock as it is
    SAVE = "save"
    DELETE = "delete"


Change = Callable[[TicketLock | None], tuple[Write, TicketLock | None, T]]


class AtomicRedisLockStore(RedisLockStore):
    """RedisLockStore whose ticket changes are atomic across processes and off the event loop.

    Rasa's ``RedisLockStore`` reads a conversation's ticket lock, changes it in Python and
    writes it back (GET, then SET). When two instances receive a message of the same
    conversation at the same moment, both read "no tickets", both take ticket 1 and both
    handle the conversation at once; the second save then skips as many events as the first
    one wrote (tests/scale found lost events this way). Here every change runs in a Redis
    transaction (WATCH/MULTI/EXEC, retried when another instance changed the lock in
    between). Configure it in the endpoints file (``deploy/endpoints.production.yml``)::

        lock_store:
          type: bot.rasa_ext.stores.AtomicRedisLockStore
          url: ${KOERS_REDIS_HOST}
          port: ${KOERS_REDIS_PORT}

    Rasa's async :meth:`lock` is replaced (the sync methods stay for other callers):

    * It runs on ``redis.asyncio`` with the socket timeout as a bound on every transaction,
      so a stalled Redis fails that turn (``LockError``, the Dutch answer) and never freezes
      the loop (socket.io heartbeats, the Teams webhook).
    * A waiter renews its own ticket on every poll and the served ticket gets the full
      lifetime from the moment it is served. Rasa measures every ticket's lifetime from its
      issue: a resend right after an instance died took the next ticket a few milliseconds
      after the dead one, both expired in the same poll interval, and the waiter, whose
      ticket was gone, waited forever: the emptied lock stays stored and serves number 0 (a
      504 from nginx). A dead holder still blocks for one lifetime (Rasa's
      ``TICKET_LOCK_LIFETIME``, 60 s): a living turn may take an action timeout plus
      database retries (20 s each), and a shorter lifetime would let the next turn in.
    * A waiter whose ticket vanished anyway (it could not poll for a whole lifetime) takes a
      new one instead of waiting for a number nobody serves.
    """

    def __init__(self, endpoint_config: EndpointConfig | None = None, **kwargs: Any) -> None:
        if endpoint_config is not None:
            kwargs = {
                "host": endpoint_config.url or "localhost",
                **endpoint_config.kwargs,
                **kwargs,
            }
        super().__init__(**kwargs)
        self.socket_timeout = float(kwargs.get("socket_timeout", DEFAULT_SOCKET_TIMEOUT_IN_SECONDS))
        self._async_redis: tuple[asyncio.AbstractEventLoop, Any] | None = None

    def _modify(self, conversation_id: str, change: Change[T]) -> T:
        key = self.key_prefix + conversation_id

        def transaction(pipe: Any) -> T:
            raw = pipe.get(key)
            lock = TicketLock.from_dict(json.loads(raw)) if raw else None
            write, new_lock, result = change(lock)
            pipe.multi()
            if write is Write.SAVE and new_lock is not None:
                pipe.set(key, new_lock.dumps())
            elif write is Write.DELETE:
                pipe.delete(key)
            return result

        return self.red.transaction(transaction, key, value_from_callable=True)

    def _loop_redis(self) -> Any:
        """The ``redis.asyncio`` client of the running loop (its connections belong to it)."""
        loop = asyncio.get_running_loop()
        if self._async_redis is None or self._async_redis[0] is not loop:
            kwargs = self.red.connection_pool.connection_kwargs
            client = redis.asyncio.Redis(
                host=kwargs.get("host", "localhost"),
                port=kwargs.get("port", 6379),
                db=kwargs.get("db", 0),
                username=kwargs.get("username"),
                password=kwargs.get("password"),
                ssl=self.red.connection_pool.connection_class is redis.SSLConnection,
                ssl_certfile=kwargs.get("ssl_certfile"),
                ssl_keyfile=kwargs.get("ssl_keyfile"),
                ssl_ca_certs=kwargs.get("ssl_ca_certs"),
                socket_timeout=self.socket_timeout,
                socket_connect_timeout=self.socket_timeout,
            )
            self._async_redis = (loop, client)
        return self._async_redis[1]

    async def _amodify(self, conversation_id: str, change: Change[T]) -> T:
        """:meth:`_modify` on ``redis.asyncio``, bounded by the socket timeout (a ``LockError``)."""
        key = self.key_prefix + conversation_id

        async def transaction() -> T:
            async with self._loop_redis().pipeline(transaction=True) as pipe:
                while True:
                    try:
                        await pipe.watch(key)
                        raw = await pipe.get(key)
                        lock = TicketLock.from_dict(json.loads(raw)) if raw else None
                        write, new_lock, result = change(lock)
                        pipe.multi()
                        if write is Write.SAVE and new_lock is not None:
                            pipe.set(key, new_lock.dumps())
                        elif write is Write.DELETE:
                            pipe.delete(key)
                        await pipe.execute()
                        return result
                    except redis.WatchError:
                        continue  # another instance changed the lock: read it again

        try:
            return await asyncio.wait_for(transaction(), self.socket_timeout)
        except (redis.RedisError, OSError, asyncio.TimeoutError) as exc:
            raise LockError(f"Lock store (Redis) unreachable: {type(exc).__name__}") from exc

    @asynccontextmanager
    async def lock(
        self,
        conversation_id: str,
        lock_lifetime: float = LOCK_LIFETIME,
        wait_time_in_seconds: float = 1,
    ) -> AsyncIterator[TicketLock]:
        """Rasa's ticket lock on ``redis.asyncio``; tickets live as long as their owner."""
        mine = await self._amodify(conversation_id, _take_ticket(conversation_id, lock_lifetime))
        try:
            while True:
                served, lock, mine = await self._amodify(
                    conversation_id, _poll(conversation_id, mine, lock_lifetime)
                )
                if served:
                    break
                await asyncio.sleep(wait_time_in_seconds)
            logger.debug("Acquired lock for conversation '%s'.", conversation_id)
            yield lock
        finally:
            try:
                await self._amodify(conversation_id, _give_back(mine))
            except LockError as exc:  # the ticket expires after its lifetime
                logger.warning("Could not give back a conversation lock (%s)", exc)

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        def change(lock: TicketLock | None) -> tuple[Write, TicketLock, int]:
            lock = lock or TicketLock(conversation_id)
            return Write.SAVE, lock, lock.issue_ticket(lock_lifetime)

        try:
            return self._modify(conversation_id, change)
        except Exception as exc:
            raise LockError(f"Error while acquiring lock. Error:\n{exc}") from exc

    def update_lock(self, conversation_id: str) -> None:
        def change(lock: TicketLock | None) -> tuple[Write, TicketLock | None, None]:
            if lock is None:
                return Write.KEEP, None, None
            lock.remove_expired_tickets()
            return Write.SAVE, lock, None

        self._modify(conversation_id, change)

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        def change(lock: TicketLock | None) -> tuple[Write, TicketLock | None, None]:
            if lock is None:
                return Write.KEEP, None, None
            lock.remove_ticket_for(ticket_number)
            return Write.SAVE, lock, None

        self._modify(conversation_id, change)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        """Give the ticket back; delete the lock when nobody else waits (in one step)."""

        def change(lock: TicketLock | None) -> tuple[Write, TicketLock | None, None]:
            if lock is None:
                return Write.KEEP, None, None
            lock.remove_ticket_for(ticket_number)
            if lock.is_someone_waiting():
                return Write.SAVE, lock, None
            return Write.DELETE, None, None

        self._modify(conversation_id, change)


# A ticket of lock(): its number and the expiry its owner last wrote. Numbers start again at 0
# once a lock is empty, so the number alone could be somebody else's ticket by now.
Mine = tuple[int, float]


def _take_ticket(conversation_id: str, lifetime: float) -> Change[Mine]:
    def change(lock: TicketLock | None) -> tuple[Write, TicketLock, Mine]:
        lock = lock or TicketLock(conversation_id)
        number = lock.issue_ticket(lifetime)
        return Write.SAVE, lock, (number, lock.tickets[-1].expires)

    return change


def _find(lock: TicketLock, mine: Mine) -> Ticket | None:
    return next((t for t in lock.tickets if (t.number, t.expires) == mine), None)


def _poll(
    conversation_id: str, mine: Mine, lifetime: float
) -> Change[tuple[bool, TicketLock, Mine]]:
    """Renew ``mine`` (or take a new ticket if it vanished); served when it is the first."""

    def change(lock: TicketLock | None) -> tuple[Write, TicketLock, tuple[bool, TicketLock, Mine]]:
        lock = lock or TicketLock(conversation_id)
        ticket = _find(lock, mine)
        if ticket is None:
            logger.warning("A conversation lock ticket vanished while waiting; taking a new one")
            lock.issue_ticket(lifetime)
            ticket = lock.tickets[-1]
        ticket.expires = time.time() + lifetime  # the owner is alive: a full lifetime again
        lock.remove_expired_tickets()  # a dead holder's ticket, after its lifetime
        number = ticket.number
        served = bool(lock.tickets) and lock.tickets[0] is ticket
        return Write.SAVE, lock, (served, lock, (number, ticket.expires))

    return change


def _give_back(mine: Mine) -> Change[None]:
    def change(lock: TicketLock | None) -> tuple[Write, TicketLock | None, None]:
        if lock is None:
            return Write.KEEP, None, None
        ticket = _find(lock, mine)
        if ticket is not None:
            lock.tickets.remove(ticket)
        lock.remove_expired_tickets()
        if lock.tickets:
            return Write.SAVE, lock, None
        return Write.DELETE, None, None

    return change
