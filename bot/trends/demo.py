"""Clearly fictional demo trend data and a demo coordinator account for ``make run``.

The data is drawn at random with a fixed seed, in varied group sizes, so the dashboard shows
both figures and "< 5" cells. It covers the quarter before the last completed one, the last
completed quarter (where the dashboard opens) and the running quarter, with the programme's
later steps too (workshops per theme and region, coach conversations, opportunities, EVC) at
the rates of a pilot of a few hundred employees: weekly groups are mostly small, a quarter
shows figures.
"""

from __future__ import annotations

import random
import secrets
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.conversation.barriers import BARRIERS
from bot.ledger.catalog import REGIONS, WORKSHOP_THEMES
from bot.opportunities.catalog import TYPES as OPPORTUNITY_TYPES
from bot.opportunities.evc import VERDICTS
from bot.scan.questions import DIRECTIONS, STRENGTH_LABELS
from bot.trends import events as ev
from bot.trends import periods as pe
from bot.trends.accounts import create_account
from bot.trends.models import ROLE_MUNICIPAL, ROLE_PROGRAMME, DashboardAccount, TrendEvent
from bot.trends.recorder import current_week
from bot.trends.weeks import shift, weeks_between

DEMO_MUNICIPALITIES = {"GM9901": 1.0, "GM9902": 0.5, "GM9903": 0.15}
WORRIES = ("functie_verdwijnt", "reorganisatie", "digitalisering")
FALLBACK_INTENTS = ("faq/evc", "request_coach", "mention_barrier", "ask_workshops", "nlu_fallback")
#: Where the demo municipalities' employees mostly go to a "Tap de toekomst" evening.
HOME_REGIONS = {"GM9901": "Gelderland", "GM9902": "Utrecht", "GM9903": "Limburg"}
THEME_WEIGHTS = (5, 4, 3, 2, 3)  # in the order of WORKSHOP_THEMES
OPPORTUNITY_WEIGHTS = (5, 4, 2, 3, 1)  # in the order of the opportunity TYPES
#: The EVC check's verdicts (bot/opportunities/evc.py) are the category of its trend event.
EVC_OUTCOMES = VERDICTS
#: Per conversation: how often each later step happens in a week (a pilot's rates).
LATER_STEPS = {
    ev.WORKSHOP_SIGNED_UP: 0.12,
    ev.COACH_CONVERSATION_HELD: 0.15,
    ev.OPPORTUNITY_VIEWED: 0.6,
    ev.OPPORTUNITY_SAVED: 0.1,
    ev.EVC_CHECKED: 0.05,
}
ATTENDANCE = 0.8  # of the sign-ups
DEMO_PROGRAMME_USER = "demo-programma"
DEMO_MUNICIPAL_USER = "demo-gm9901"


def demo_weeks(now: datetime | None = None) -> int:
    """How many completed weeks the demo covers: back to the first week of the quarter
    before the last completed one (at least 12, the default weekly view)."""
    this_week = current_week(now)
    quarter = pe.shift_period(pe.KIND_QUARTER, pe.last_completed(pe.KIND_QUARTER, this_week), -1)
    first = pe.weeks_in_quarter(quarter)[0]
    return max(12, len(weeks_between(first, this_week)) - 1)


def _later_steps(rng: random.Random, code: str, conversations: int) -> list[tuple[str, str]]:
    """(event type, category) of the steps after the scan for one week of one municipality."""

    def times(rate: float) -> int:
        return sum(1 for _ in range(conversations) if rng.random() < rate)

    home = HOME_REGIONS.get(code, REGIONS[0])
    found: list[tuple[str, str]] = []
    for _ in range(times(LATER_STEPS[ev.WORKSHOP_SIGNED_UP])):
        theme = rng.choices(tuple(WORKSHOP_THEMES), weights=THEME_WEIGHTS)[0]
        region = home if rng.random() < 0.85 else rng.choice(REGIONS)
        category = ev.workshop_category(theme, region)
        found.append((ev.WORKSHOP_SIGNED_UP, category))
        if rng.random() < ATTENDANCE:
            found.append((ev.WORKSHOP_ATTENDED, category))
    found.extend(
        (ev.COACH_CONVERSATION_HELD, ev.NO_CATEGORY)
        for _ in range(times(LATER_STEPS[ev.COACH_CONVERSATION_HELD]))
    )
    for kind in (ev.OPPORTUNITY_VIEWED, ev.OPPORTUNITY_SAVED):
        found.extend(
            (kind, rng.choices(OPPORTUNITY_TYPES, weights=OPPORTUNITY_WEIGHTS)[0])
            for _ in range(times(LATER_STEPS[kind]))
        )
    found.extend(
        (ev.EVC_CHECKED, rng.choices(EVC_OUTCOMES, weights=(2, 3, 1, 2))[0])
        for _ in range(times(LATER_STEPS[ev.EVC_CHECKED]))
    )
    return found


def demo_events(
    now: datetime | None = None, weeks: int | None = None, seed: int = 7
) -> list[TrendEvent]:
    """Fictional events for the last ``weeks`` completed weeks (default :func:`demo_weeks`)
    and the running week, in the three demo municipalities (the dashboard shows only
    completed weeks and periods; the running ones appear once they are over)."""
    rng = random.Random(seed)
    this_week = current_week(now)
    weeks = demo_weeks(now) if weeks is None else weeks
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
            for kind, category in _later_steps(rng, code, conversations):
                add(week, code, kind, category)
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
