"""Rasa's Redis lock store with atomic ticket updates, for several Rasa instances.

Rasa's ``RedisLockStore`` reads a conversation's ticket lock, changes it in Python and writes
it back (GET, then SET). When two instances receive a message of the same conversation at the
same moment, both read "no tickets", both take ticket 1 and both handle the conversation at
once; the second save then skips as many events as the first one wrote (tests/scale found
lost events this way). Here every change runs in a Redis transaction (WATCH/MULTI/EXEC, retried
by redis-py when another instance changed the lock in between).

Configure it in the endpoints file (``deploy/endpoints.production.yml``)::

    lock_store:
      type: bot.rasa_ext.lock_store.AtomicRedisLockStore
      url: ${KOERS_REDIS_HOST}
      port: ${KOERS_REDIS_PORT}
"""

from __future__ import annotations

import json
from collections.abc import Callable
from enum import Enum
from typing import Any, TypeVar

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

T = TypeVar("T")


class Write(Enum):
    KEEP = "keep"  # leave the stored lock as it is
    SAVE = "save"
    DELETE = "delete"


Change = Callable[[TicketLock | None], tuple[Write, TicketLock | None, T]]


class AtomicRedisLockStore(RedisLockStore):
    """RedisLockStore whose ticket changes are atomic across processes."""

    def __init__(self, endpoint_config: EndpointConfig | None = None, **kwargs: Any) -> None:
        if endpoint_config is not None:
            kwargs = {"host": endpoint_config.url or "localhost", **endpoint_config.kwargs,
                      **kwargs}  # fmt: skip
        super().__init__(**kwargs)

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
