"""A Dutch employee goes through the whole scan over the REST webhook (real servers)."""

from __future__ import annotations

import re
import sqlite3

from bot.scan import texts
from bot.scan.questions import SCAN_SLOTS

from .conftest import Chat, pseudonym

QUESTION = re.compile(r"Vraag (\d+) van 14")


def question_number(replies: list[dict]) -> int | None:
    numbers = [int(m.group(1)) for r in replies for m in QUESTION.finditer(r.get("text", ""))]
    return numbers[-1] if numbers else None


def scale_buttons(replies: list[dict]) -> list[str]:
    return [b["payload"] for r in replies for b in r.get("buttons") or []]


async def test_whole_scan_with_side_question_back_pause_and_resume(chat: Chat) -> None:
    welcome = Chat.text_of(await chat.say("hoi"))
    assert "anoniem" in welcome
    assert "minstens 5" in welcome

    replies = await chat.say("ik wil de talentscan doen")
    assert texts.INTRO.split(".")[0] in Chat.text_of(replies)
    assert question_number(replies) == 1
    assert scale_buttons(replies) == ["1", "2", "3", "4", "5"]

    assert question_number(await chat.say("best wel")) == 2
    assert question_number(await chat.say("4")) == 3

    # A side question in the middle, then the same question again.
    replies = await chat.say("kan mijn leidinggevende zien wat ik hier typ?")
    assert "leidinggevende ziet niets" in Chat.text_of(replies)
    assert question_number(replies) == 3

    # An answer that can't be mapped: a friendly re-ask of the same question.
    replies = await chat.say("banaan")
    assert texts.NOT_UNDERSTOOD in Chat.text_of(replies)
    assert question_number(replies) == 3

    assert question_number(await chat.say("ja hoor")) == 4
    # "terug": question 3 again.
    replies = await chat.say("terug")
    assert question_number(replies) == 3
    assert question_number(await chat.say("helemaal niet")) == 4
    assert question_number(await chat.say("soms")) == 5

    # Pause and resume.
    replies = await chat.say("stop")
    assert "pauze" in Chat.text_of(replies)
    assert question_number(replies) is None
    replies = await chat.say("verder met de scan")
    assert "4 van de 14" in Chat.text_of(replies)
    assert question_number(replies) == 5

    answers = [
        "Klopt helemaal",
        "5",
        "klopt wel",
        "niet echt",
        "5",
        "nee",
        "zeker",
        "vijf",
        "3",
        "ja",
    ]
    for expected_next, answer in enumerate(answers, start=6):
        replies = await chat.say(answer)
        if expected_next <= len(SCAN_SLOTS):
            assert question_number(replies) == expected_next, (answer, replies)

    result = Chat.text_of(replies)
    assert "Je uitslag:" in result
    assert "Waarom past dit bij jou?" in result
    assert "Je sterke punten:" in result
    assert 2 <= len(scale_buttons(replies)) <= 3

    # The result stays available: asking for the scan again shows it.
    again = Chat.text_of(await chat.say("ik wil de scan doen"))
    assert texts.ALREADY_DONE in again


async def test_start_over_clears_answers(chat: Chat) -> None:
    await chat.say("ik wil de scan doen")
    await chat.say("4")
    await chat.say("4")
    replies = await chat.say("ik wil de scan opnieuw beginnen")
    assert texts.RESET in Chat.text_of(replies)
    assert question_number(replies) == 1


async def test_terug_without_a_scan_explains(chat: Chat) -> None:
    replies = await chat.say("terug")
    assert "nog geen vraag" in Chat.text_of(replies)


async def test_bad_input_gets_a_dutch_answer_and_is_stored_once(chat: Chat, koers_servers) -> None:
    cases = {
        "": "leeg",
        "x " * 2500: "lang bericht",
        "😀🎉👍": "alleen woorden",
        "<script>alert('hoi')</script>": "code of opmaak",
        "Hello, could you please tell me what the weather is like today?": "alleen Nederlands",
    }
    for message, expected in cases.items():
        text = Chat.text_of(await chat.say(message))
        assert expected in text, (message[:30], text)

    database = koers_servers.tracker_db_url.removeprefix("sqlite:///")
    with sqlite3.connect(database) as db:
        rows = db.execute(
            "SELECT data FROM events WHERE sender_id = ? AND type_name = 'user'",
            (pseudonym(chat.sender),),
        ).fetchall()
    assert len(rows) == len(cases)


async def test_conversation_basics(chat: Chat) -> None:
    assert "computerprogramma" in Chat.text_of(await chat.say("ben jij een robot?"))
    assert "talentscan" in Chat.text_of(await chat.say("wat kun jij allemaal?"))
    assert "niet mee helpen" in Chat.text_of(await chat.say("wat voor weer wordt het morgen?"))
    assert "Workshop:" in Chat.text_of(await chat.say("welke workshops zijn er?"))
