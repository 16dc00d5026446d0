"""The chat texts of bookings and vouchers meet the same B1 bar as the rest of Koers."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest
import textstat

from bot.ledger import texts
from bot.ledger.booking import (
    OFFER_ELSEWHERE_ONLINE,
    OFFER_LATER,
    SLOT_TAKEN,
    BookingView,
    SlotOffer,
)
from bot.ledger.codes import CodeCheck, CodeProblem
from bot.ledger.preferences import WhenPreference
from bot.ledger.vouchers import BUDGET_EXHAUSTED, NOT_PARTICIPATING, VoucherView
from bot.ledger.workshops import WorkshopDate
from tests.test_readability import (
    ENGLISH,
    MAX_AVG_SENTENCE_WORDS,
    MAX_SENTENCE_WORDS,
    MIN_FLESCH_DOUMA_AVERAGE,
    MIN_FLESCH_DOUMA_SINGLE,
    sentences,
    words,
)

START = datetime(2025, 3, 4, 9, 0, tzinfo=timezone.utc)
VIEW = BookingView(
    booking_id=1,
    code="ABCDEFGHJK",
    status="active",
    ics_token="t",
    sequence=0,
    coach_name="Anna Voorbeeld",
    coach_email="anna@coach.example",
    location="Buurthuis",
    starts_at=START,
    ends_at=START + timedelta(hours=1),
    mode="on_location",
    region="Utrecht",
    has_email=False,
    created_at=START,
    updated_at=START,
)
VOUCHER = VoucherView(
    voucher_id=1,
    code="ABCDEFGHJKMNPQRS",
    status="issued",
    value_cents=37500,
    purpose="workshop_or_coach",
    issued_at=START,
    expires_at=START + timedelta(days=365),
    redeemed_at=None,
    redeemed_by_provider_id=None,
    redeemed_by_name=None,
    redeemed_reference=None,
    municipality_name="Gemeente Voorbeeldstad",
    programme_year=2025,
)
OFFERS = [
    SlotOffer(1, "Anna Voorbeeld", START, START + timedelta(hours=1), "online"),
    SlotOffer(2, "Bram Verzonnen", START, START + timedelta(hours=1), "online", OFFER_LATER),
    SlotOffer(
        3, "Carla Fictief", START, START + timedelta(hours=1), "online", OFFER_ELSEWHERE_ONLINE
    ),
]


def all_texts() -> dict[str, str]:
    found = {
        name: value
        for name, value in vars(texts).items()
        if name.isupper() and isinstance(value, str)
    }
    preference = WhenPreference(frozenset({1}), frozenset({"middag"}))
    found["offers"] = texts.offers_message(OFFERS[:1], "Utrecht", preference, "online")[0]
    found["alternatives"] = texts.offers_message(OFFERS, "Zeeland", preference, "on_location")[0]
    found["taken"] = texts.slot_problem(SLOT_TAKEN)
    found["consent"] = texts.ask_email_consent(7)
    found["done"] = texts.booking_done(VIEW, "https://k/b.ics", "https://k/e")
    found["done_no_mail"] = texts.booking_done(VIEW, "https://k/b.ics", None)
    found["cancel"] = texts.ask_cancel_confirm(VIEW)
    found["moved"] = texts.rescheduled(VIEW, "https://k/b.ics")
    for problem in CodeProblem:
        found[f"code_{problem.value}"] = texts.code_problem(
            CodeCheck(problem, "X", ("0",)), "voucher"
        )
    for reason in (BUDGET_EXHAUSTED, NOT_PARTICIPATING, "other"):
        found[f"refused_{reason}"] = texts.voucher_refused(reason)
    found["issued"] = texts.voucher_issued(VOUCHER, True)
    found["again"] = texts.voucher_issued(VOUCHER, False)
    found["status"] = texts.voucher_status_text(VOUCHER)
    found["spend"] = texts.spending_options(
        {"talenten": [WorkshopDate("talenten", "T", "P", START, "Online")]}
    )
    return found


TEXTS = all_texts()


def _without_links(text: str) -> str:
    return re.sub(r"https?://\S+|\S+@\S+", "link", text)


@pytest.mark.parametrize("name", sorted(TEXTS))
def test_short_sentences_informal_and_dutch(name: str) -> None:
    found = sentences(_without_links(TEXTS[name]))
    lengths = [len(words(sentence)) for sentence in found]
    assert max(lengths) <= MAX_SENTENCE_WORDS, f"long sentence in {name}: {found}"
    assert sum(lengths) / len(lengths) <= MAX_AVG_SENTENCE_WORDS, f"{name}: {lengths}"
    assert not re.search(r"\b(u|uw|Uw)\b", TEXTS[name]), f"formal 'u' in {name}"
    leftovers = {w for s in found for w in words(s)} & ENGLISH
    assert not leftovers, f"English in {name}: {leftovers}"


def test_reading_ease() -> None:
    textstat.set_lang("nl")
    long_texts = {n: _without_links(t) for n, t in TEXTS.items() if len(words(t)) >= 12}
    scores = {name: textstat.flesch_reading_ease(text) for name, text in long_texts.items()}
    too_hard = {n: round(s) for n, s in scores.items() if s < MIN_FLESCH_DOUMA_SINGLE}
    assert not too_hard, f"too hard to read: {too_hard}"
    assert sum(scores.values()) / len(scores) >= MIN_FLESCH_DOUMA_AVERAGE, scores


@pytest.mark.parametrize(
    ("question", "asks_place"),
    [
        ("waar is dat dan", True),
        ("wat is het adres van de coach?", True),
        ("waar moet ik heen voor dat gesprek", True),
        ("hoe lang duurt het", False),
        ("waar betaal ik dat van", False),
    ],
)
def test_where_is_it_is_a_topic_of_its_own(question: str, asks_place: bool) -> None:
    from bot.ledger.facts import TOPIC_PLACE, topics_in

    assert (TOPIC_PLACE in topics_in(question)) is asks_place


def test_where_is_it_names_the_proposed_or_booked_place() -> None:
    """Walkthrough 2026-12-03 (second round): "waar is dat dan" at "Zal ik … vastzetten?" left
    the booking and started the scan; Koers knows the coach's location and says it."""
    on_location = SlotOffer(4, "Rosa Sjabloon", START, START + timedelta(hours=1), "on_location")
    assert texts.place_lines(None, (on_location, "Wijkcentrum De Kern, Apeldoorn")) == [
        "Het gesprek met Rosa Sjabloon is op locatie: Wijkcentrum De Kern, Apeldoorn."
    ]
    assert "online" in texts.place_lines(None, (OFFERS[0], None))[0]
    assert texts.place_lines(VIEW, None) == [
        "Het gesprek met Anna Voorbeeld is op locatie: Buurthuis."
    ]
    assert texts.place_lines(None, None) == [texts.PLACE_NOT_CHOSEN]
