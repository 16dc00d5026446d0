"""Data the conversation tests rely on beyond the ledger's demo set (issue 17).

``python -m tests.conversation.fixture_data`` on the database of ``KOERS_DATABASE_URL``, after
``bot.ledger.cli init`` loaded the demo data, opportunities included (tests/conversation/conftest.py
runs both):

- one full workshop session in Zeeland (``data/full_session.yml``): its single seat is taken
  by a fixture employee, so a conversation can join the waiting list.

Safe to run twice: the import upserts and the session is only filled when it is empty.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.clock import LOCAL_TZ, utcnow
from bot.config import load_settings
from bot.db.engine import make_engine, make_session_factory, run_in_transaction
from bot.ledger.importer import apply_batch, read_file
from bot.ledger.models import Provider, Workshop, WorkshopEvent
from bot.ledger.signups import sign_up
from bot.ledger.vouchers import request_voucher

FULL_SESSION = Path(__file__).parent / "data" / "full_session.yml"
FULL_EVENT = "Tap de toekomst Zeeland (test)"
DEMO_PROVIDER = "Leerhuis Voorbeeld (demo)"
#: The fixture employee who holds the one seat (a pseudonymous key, as the ledger stores).
SEAT_HOLDER = "k1_conversation-fixture-seat-holder"


def load(session: Session) -> None:
    now = utcnow()
    provider = session.execute(select(Provider).where(Provider.name == DEMO_PROVIDER))
    if provider.scalar_one_or_none() is None:  # no demo data (KOERS_LOAD_DEMO_DATA=false)
        return
    apply_batch(
        session, read_file(FULL_SESSION, now.astimezone(LOCAL_TZ).date()), now=now, actor="test"
    )
    session.flush()
    workshop = session.execute(
        select(Workshop).join(WorkshopEvent).where(WorkshopEvent.name == FULL_EVENT)
    ).scalar_one()
    if workshop.seats_taken >= workshop.places:
        return
    voucher = request_voucher(
        session,
        municipality_code="GM9902",
        employee_key=SEAT_HOLDER,
        now=now,
        valid_days=365,
        actor="test-fixture",
    ).voucher
    sign_up(
        session,
        workshop_id=workshop.id,
        voucher_code=voucher.code,
        employee_key=SEAT_HOLDER,
        now=now,
        actor="test-fixture",
        record_trend=False,
    )


def main() -> None:
    engine = make_engine(load_settings().database_url)
    session = make_session_factory(engine)()
    try:
        run_in_transaction(session, load)
    finally:
        session.close()
        engine.dispose()


if __name__ == "__main__":
    main()
