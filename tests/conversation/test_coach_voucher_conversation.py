"""Booking a coach and getting a voucher over the REST webhook, on the demo data set."""

from __future__ import annotations

import re
import uuid

from bot.ledger import texts

from .conftest import Chat

DEMO_MUNICIPALITY = "GM9901"
SYMBOL = "[2-9A-HJKMNP-Z]"
BOOKING_CODE = re.compile(rf"\b{SYMBOL}{{5}}-{SYMBOL}{{5}}\b")
VOUCHER_CODE = re.compile(rf"\b{SYMBOL}{{4}}-{SYMBOL}{{4}}-{SYMBOL}{{4}}-{SYMBOL}{{4}}\b")


async def test_book_a_coach_online_and_cancel(chat: Chat) -> None:
    replies = Chat.text_of(await chat.say("ik wil graag een gesprek met een loopbaancoach"))
    assert texts.ASK_REGION in replies
    assert texts.ASK_MODE in Chat.text_of(await chat.say("Gelderland"))
    assert texts.ASK_WHEN in Chat.text_of(await chat.say("online"))
    offers = Chat.text_of(await chat.say("maakt niet uit"))
    assert "1." in offers and "2." in offers, offers
    booked = Chat.text_of(await chat.say("1"))
    assert texts.BOOKED in booked
    done = Chat.text_of(await chat.say("nee"))
    code = BOOKING_CODE.search(booked + done)
    assert code, booked + done

    replies = Chat.text_of(await chat.say(f"ik wil mijn afspraak {code.group()} afzeggen"))
    assert "afzeggen" in replies.lower() or "zeker" in replies.lower(), replies
    assert "afgezegd" in Chat.text_of(await chat.say("ja"))


async def test_voucher_is_issued_once_per_employee(chat: Chat) -> None:
    metadata = {"municipality": DEMO_MUNICIPALITY, "employee_key": uuid.uuid4().hex}
    first = Chat.text_of(await chat.say("ik wil een voucher aanvragen", metadata))
    assert "Je voucher is klaar!" in first
    code = VOUCHER_CODE.search(first)
    assert code, first
    again = Chat.text_of(await chat.say("mag ik een voucher", metadata))
    assert "al een voucher" in again
    assert code.group() in again


async def test_voucher_without_token_explains_how(chat: Chat) -> None:
    replies = Chat.text_of(await chat.say("ik wil een voucher aanvragen"))
    assert texts.NO_IDENTITY.split("\n")[0] in replies
