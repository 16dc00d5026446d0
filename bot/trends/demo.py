"""Clearly fictional demo trend data and a demo coordinator account for ``make run``.

The data is drawn at random with a fixed seed, in varied group sizes, so the dashboard shows
both figures and "< 5" cells.
"""

from __future__ import annotations

import random
import secrets
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.conversation.barriers import BARRIERS
from bot.scan.questions import DIRECTIONS, STRENGTH_LABELS
from bot.trends import events as ev
from bot.trends.accounts import create_account
from bot.trends.models import ROLE_MUNICIPAL, ROLE_PROGRAMME, DashboardAccount, TrendEvent
from bot.trends.recorder import current_week
from bot.trends.weeks import shift

DEMO_MUNICIPALITIES = {"GM9901": 1.0, "GM9902": 0.5, "GM9903": 0.15}
WORRIES = ("functie_verdwijnt", "reorganisatie", "digitalisering")
FALLBACK_INTENTS = ("faq/evc", "request_coach", "mention_barrier", "ask_workshops", "nlu_fallback")
DEMO_PROGRAMME_USER = "demo-programma"
DEMO_MUNICIPAL_USER = "demo-gm9901"


def demo_events(now: datetime | None = None, weeks: int = 12, seed: int = 7) -> list[TrendEvent]:
    """Fictional events for the last ``weeks`` completed weeks and the running week, in the
    three demo municipalities (the dashboard shows only completed weeks: these fill its
    default period, and the running week appears once it is over)."""
    rng = random.Random(seed)
    this_week = current_week(now)
    rows: list[TrendEvent] = []

    def add(
        week: str, code: str, kind: str, category: str = ev.NO_CATEGORY, times: int = 1
    ) -> None:
        rows.extend(
            TrendEvent(week=week, municipality=code, event_type=kind, category=category)
            for _ in range(times)
        )

    for offset in range(weeks + 1):
        week = shift(this_week, -offset)
        for code, size in DEMO_MUNICIPALITIES.items():
            conversations = int(rng.randint(18, 40) * size)
            add(week, code, ev.CONVERSATION_STARTED, times=conversations)
            scans = int(conversations * rng.uniform(0.4, 0.7))
            for _ in range(scans):
                direction = rng.choices(DIRECTIONS, weights=(5, 4, 2, 3, 1, 3))[0]
                add(week, code, ev.SCAN_COMPLETED, direction)
                for strength in rng.sample(list(STRENGTH_LABELS), 3):
                    add(week, code, ev.SCAN_STRENGTH, strength)
            for _ in range(int(conversations * 0.35)):
                add(
                    week,
                    code,
                    ev.BARRIER_RAISED,
                    rng.choices(BARRIERS, weights=(6, 5, 1, 2, 3, 2, 1))[0],
                )
            for _ in range(int(conversations * 0.15)):
                add(week, code, ev.WORRY_RAISED, rng.choice(WORRIES))
            add(week, code, ev.PREPARATION_SHEET_MADE, times=int(conversations * 0.2))
            add(week, code, ev.VOUCHER_ISSUED, times=int(conversations * 0.25))
            add(week, code, ev.VOUCHER_REDEEMED, times=int(conversations * 0.15))
            add(week, code, ev.COACH_BOOKED, times=int(conversations * 0.2))
            add(week, code, ev.COACH_CANCELLED, times=int(conversations * 0.03))
            for _ in range(int(conversations * 0.3)):
                add(
                    week,
                    code,
                    ev.FALLBACK,
                    rng.choices(FALLBACK_INTENTS, weights=(5, 2, 2, 1, 4))[0],
                )
            add(week, code, ev.OUT_OF_SCOPE, times=int(conversations * 0.1))
    return rows


def seed_demo(session: Session, *, now: datetime) -> dict[str, str] | None:
    """Loads two demo accounts, and demo events on a database without trend data.

    Returns {user name: password} of the new accounts (random passwords, printed once), or
    None when the database already has accounts (never overwritten). Real events recorded
    before (a first conversation, a test run) keep the demo events out, not the log-ins.
    """
    has_events = session.execute(select(func.count(TrendEvent.id))).scalar_one()
    has_accounts = session.execute(select(func.count(DashboardAccount.id))).scalar_one()
    if has_accounts:
        return None
    if not has_events:
        session.add_all(demo_events(now))
    passwords = {
        DEMO_PROGRAMME_USER: secrets.token_urlsafe(12),
        DEMO_MUNICIPAL_USER: secrets.token_urlsafe(12),
    }
    create_account(
        session,
        username=DEMO_PROGRAMME_USER,
        password=passwords[DEMO_PROGRAMME_USER],
        role=ROLE_PROGRAMME,
        now=now,
    )
    create_account(
        session,
        username=DEMO_MUNICIPAL_USER,
        password=passwords[DEMO_MUNICIPAL_USER],
        role=ROLE_MUNICIPAL,
        municipality="GM9901",
        now=now,
    )
    return passwords
