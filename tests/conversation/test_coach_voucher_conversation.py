"""Booking a coach and getting a voucher over the REST webhook, on the demo data set."""

from __future__ import annotations

import re
import uuid

from bot.ledger import texts

from .conftest import Chat, identity_metadata

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
    asked = Chat.text_of(await chat.say("1"))
    assert "voor je vastzetten?" in asked and texts.BOOKED not in asked, asked
    booked = Chat.text_of(await chat.say("ja"))
    assert texts.BOOKED in booked
    done = Chat.text_of(await chat.say("nee"))
    code = BOOKING_CODE.search(booked + done)
    assert code, booked + done

    replies = Chat.text_of(await chat.say(f"ik wil mijn afspraak {code.group()} afzeggen"))
    assert "afzeggen" in replies.lower() or "zeker" in replies.lower(), replies
    assert "afgezegd" in Chat.text_of(await chat.say("ja"))


async def test_no_at_the_confirmation_books_nothing_and_one_booking_at_a_time(
    chat: Chat,
) -> None:
    assert texts.ASK_REGION in Chat.text_of(await chat.say("ik wil een loopbaancoach"))
    await chat.say("Utrecht")
    await chat.say("maakt niet uit")
    offers = Chat.text_of(await chat.say("dinsdag of donderdag"))
    assert "Welke tijd wil je" in offers, offers
    assert "voor je vastzetten?" in Chat.text_of(await chat.say("2"))
    back = Chat.text_of(await chat.say("nee"))
    assert texts.NOT_BOOKED in back and "Welke tijd wil je" in back, back
    asked = Chat.text_of(await chat.say("1"))
    assert "voor je vastzetten?" in asked
    assert texts.BOOKED in Chat.text_of(await chat.say("ja graag"))
    await chat.say("nee")
    again = Chat.text_of(await chat.say("ik wil nog een afspraak met een coach"))
    assert "Je hebt al een afspraak met" in again and "één afspraak tegelijk" in again, again
    # Cancelling from the same conversation needs no code.
    asked = Chat.text_of(await chat.say("ik wil mijn afspraak afzeggen"))
    assert "echt afzeggen" in asked, asked
    assert "afgezegd" in Chat.text_of(await chat.say("ja"))


async def test_a_verified_employee_has_one_booking_across_conversations(chat: Chat) -> None:
    subject = str(uuid.uuid4())

    async def say(conversation: Chat, text: str, who: str = subject) -> str:
        return Chat.text_of(await conversation.say(text, identity_metadata(DEMO_MUNICIPALITY, who)))

    assert texts.ASK_REGION in await say(chat, "ik wil graag een loopbaancoach spreken")
    await say(chat, "Utrecht")
    await say(chat, "online")
    assert "Welke tijd wil je" in await say(chat, "maakt niet uit")
    assert "voor je vastzetten?" in await say(chat, "1")
    booked = await say(chat, "ja")
    assert texts.BOOKED in booked, booked
    code = BOOKING_CODE.search(booked + await say(chat, "nee"))
    assert code

    # The same employee in another conversation (say Teams): one booking at a time ...
    teams = Chat(chat.session, chat.servers)
    again = await say(teams, "ik wil een afspraak met een coach")
    assert "Je hebt al een afspraak met" in again, again
    # ... and someone else's identity is a stranger to the booking.
    other = Chat(chat.session, chat.servers)
    refused = await say(other, f"ik wil afspraak {code.group()} afzeggen", str(uuid.uuid4()))
    assert texts.booking_problem("booking_unknown") in refused, refused
    await say(other, "stop")
    # The employee can cancel it from the other conversation, without the code.
    assert "echt afzeggen" in await say(teams, "ik wil mijn afspraak afzeggen")
    assert "afgezegd" in await say(teams, "ja")


async def test_voucher_is_issued_once_per_employee(chat: Chat) -> None:
    metadata = identity_metadata(DEMO_MUNICIPALITY, uuid.uuid4().hex)
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
