"""An employee prepares "het goede gesprek" over the REST webhook (real servers), then opens
the sheet in the real web app, and erases the conversation: the sheet is gone with it."""

from __future__ import annotations

import dataclasses
import re
import sqlite3

from bot.config import load_settings
from bot.preparation import texts
from bot.web.app import init_app

from .conftest import Chat, pseudonym

QUESTION = re.compile(r"Vraag (\d) van 7")


def question_number(replies: list[dict]) -> int | None:
    numbers = [int(m.group(1)) for r in replies for m in QUESTION.finditer(r.get("text", ""))]
    return numbers[-1] if numbers else None


def buttons(replies: list[dict]) -> list[str]:
    return [b["title"] for r in replies for b in r.get("buttons") or []]


def download(replies: list[dict]) -> dict | None:
    for reply in replies:
        custom = reply.get("custom") or {}
        if "koers_download" in custom:
            return custom["koers_download"]
    return None


async def test_prepare_skip_barrier_change_practise_and_download(
    chat: Chat, koers_servers, aiohttp_client
) -> None:
    replies = await chat.say("ik wil het gesprek met mijn leidinggevende voorbereiden")
    assert "Je leidinggevende ziet dit gesprek niet" in Chat.text_of(replies)
    assert question_number(replies) == 1
    assert "Een jaargesprek" in buttons(replies) and "Sla over" in buttons(replies)

    assert question_number(await chat.say("jaargesprek")) == 2
    # A clearly stated barrier: warm tips, then the same question again.
    replies = await chat.say("ik heb eigenlijk helemaal geen tijd voor ontwikkeling")
    assert "Tip" in Chat.text_of(replies) and question_number(replies) == 2
    # A side question, then back to the question.
    replies = await chat.say("kan mijn leidinggevende zien wat ik hier typ?")
    assert "leidinggevende ziet niets" in Chat.text_of(replies)
    assert question_number(replies) == 2

    replies = await chat.say("Ik wil met Petra de Vries afspreken dat ik een cursus Excel mag doen")
    assert question_number(replies) == 3
    assert question_number(await chat.say("plannen, klanten helpen en samenwerken")) == 4
    replies = await chat.say("sla over")
    assert texts.SKIPPED in Chat.text_of(replies) and question_number(replies) == 5
    assert question_number(await chat.say("tijd en een coach")) == 6
    # "terug" goes to the previous question; answer it again.
    replies = await chat.say("terug")
    assert question_number(replies) == 5
    assert question_number(await chat.say("tijd om te leren en budget voor een cursus")) == 6
    replies = await chat.say("dat hij denkt dat ik weg wil")
    assert question_number(replies) == 7
    replies = await chat.say("volgende week dinsdag")
    # The private parts (worry, practice answers) go on the sheet only when chosen.
    assert texts.PRIVATE_YES in buttons(replies) and texts.PRIVATE_NO in buttons(replies)
    replies = await chat.say(texts.PRIVATE_YES)
    summary = Chat.text_of(replies)
    assert "Dit heb je ingevuld" in summary and "(overgeslagen)" in summary
    assert "Eerst oefenen" in buttons(replies)

    # Change one answer after the summary.
    replies = await chat.say("iets aanpassen")
    assert "Mijn doel" in buttons(replies)
    replies = await chat.say("Wanneer aanpassen")
    assert question_number(replies) == 7
    replies = await chat.say("12 december")
    assert "12 december" in Chat.text_of(replies)

    # Practise: Koers plays the manager twice, with feedback.
    replies = await chat.say("eerst oefenen")
    assert "Je leidinggevende zegt" in Chat.text_of(replies)
    replies = await chat.say(
        "Nee, ik wil juist bij de gemeente blijven groeien. Kunnen we "
        "twee uur per maand afspreken?"
    )
    assert "Zo kun je het ook zeggen" in Chat.text_of(replies)
    assert "Je leidinggevende zegt" in Chat.text_of(replies)
    replies = await chat.say("Er is een loopbaanbudget en ik kan de voucher gebruiken")
    text = Chat.text_of(replies)
    assert texts.NAMES_LEFT_OUT in text and "Je voorbereiding is klaar" in text
    links = download(replies)
    assert links is not None
    token = links["html_url"].rsplit("/", 1)[1]

    # The sheet in the web app (same database as the action server).
    database_url = f"sqlite:///{koers_servers.workdir / 'koers.db'}"
    settings = dataclasses.replace(
        load_settings(), database_url=database_url, ledger_housekeeping_minutes=0
    )
    client = await aiohttp_client(init_app(settings))
    page = await (await client.get(f"/voorbereiding/{token}")).text()
    assert "cursus Excel" in page and "12 december" in page and "Petra" not in page
    assert "(naam weggelaten)" in page
    assert "Kunnen we twee uur per maand afspreken?" in page

    # Erasure takes the sheet with the conversation.
    await chat.say("wis mijn gegevens")
    await chat.say("ja")
    assert (await client.get(f"/voorbereiding/{token}")).status == 404
    with sqlite3.connect(koers_servers.workdir / "koers.db") as db:
        rows = db.execute(
            "select count(*) from preparation_sheets where conversation_id = ?",
            (pseudonym(chat.sender),),
        ).fetchone()
    assert rows == (0,)


async def test_pause_and_resume_keeps_the_answers(chat: Chat) -> None:
    await chat.say("gesprek voorbereiden")
    await chat.say("ontwikkelgesprek")
    replies = await chat.say("stop")
    assert "pauze" in Chat.text_of(replies)
    replies = await chat.say("gesprek voorbereiden")
    assert texts.RESUME in Chat.text_of(replies) and question_number(replies) == 2


async def test_offered_after_a_worry(chat: Chat) -> None:
    replies = await chat.say("ik durf mijn baas niet te vertellen dat ik iets anders wil")
    assert "Bereid het gesprek voor" in buttons(replies)
    replies = await chat.say("/prepare_conversation")
    assert question_number(replies) == 1
