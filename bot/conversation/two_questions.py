"""Find the questions in one long message, so the bot can answer one and offer the other.

Employees often ask two things at once ("hoe lang duurt de scan en wie betaalt een hbo-
opleiding?"). The classifier picks one intent for the whole message; without this the second
question is silently lost. The fallback or FAQ answer can add :func:`offer_other_question`.
"""

from __future__ import annotations

import re

# Words that open a Dutch question; " en " followed by one of them starts a second question.
QUESTION_OPENERS: frozenset[str] = frozenset(
    {
        "hoe",
        "wat",
        "wie",
        "waar",
        "wanneer",
        "waarom",
        "welke",
        "welk",
        "hoeveel",
        "hoelang",
        "kan",
        "kun",
        "kunnen",
        "mag",
        "moet",
        "is",
        "zijn",
        "heb",
        "hebben",
        "krijg",
        "krijgen",
        "ziet",
        "weet",
        "wordt",
        "waarvoor",
        "waarmee",
    }
)
MIN_QUESTION_WORDS = 3
QUOTE_LIMIT = 80

_QUESTION_MARK = re.compile(r"\?+")
_SENTENCE_END = re.compile(r"[.!\n]+")
_AND_QUESTION = re.compile(r"\s(?:en|of)\s+(?=(\w+))", re.IGNORECASE)
_WORD = re.compile(r"\w+")
_LEADING_AND = re.compile(r"^(?:en|of|maar)\s+", re.IGNORECASE)


def _last_sentence(segment: str) -> str:
    parts = [p.strip() for p in _SENTENCE_END.split(segment) if p.strip()]
    return parts[-1] if parts else ""


def _split_on_and(question: str) -> list[str]:
    """Two questions joined by "en"/"of" split; "jij en ik" stays one piece."""
    pieces, start = [], 0
    for match in _AND_QUESTION.finditer(question):
        if match.group(1).lower() not in QUESTION_OPENERS:
            continue
        before = question[start : match.start()].strip(" ,")
        if len(_WORD.findall(before)) >= MIN_QUESTION_WORDS:
            pieces.append(before)
            start = match.end()
    pieces.append(question[start:].strip(" ,"))
    return pieces


def split_questions(text: str) -> list[str]:
    """The questions in a message, in order, each ending in "?"; statements are left out.

    Employees often leave out the "?", so a last sentence that opens like a question counts.
    """
    if not text:
        return []
    segments = _QUESTION_MARK.split(text)
    asked = [_last_sentence(segment) for segment in segments[:-1]]
    # after the last "?" only a question without its "?" ("... en wanneer zijn ze") counts
    trailing = _LEADING_AND.sub("", _last_sentence(segments[-1]))
    words = _WORD.findall(trailing)
    if words and words[0].lower() in QUESTION_OPENERS:
        asked.append(trailing)
    questions = []
    for sentence in asked:
        for piece in _split_on_and(sentence):
            piece = _LEADING_AND.sub("", piece)
            if len(_WORD.findall(piece)) >= MIN_QUESTION_WORDS:
                questions.append(piece[0].upper() + piece[1:] + "?")
    return questions


def other_questions(text: str) -> list[str]:
    """The questions after the first: the ones the bot should offer to answer next."""
    return split_questions(text)[1:]


def _quote(question: str) -> str:
    if len(question) <= QUOTE_LIMIT:
        return question
    return question[: QUOTE_LIMIT - 1].rsplit(" ", 1)[0] + "…?"


def offer_other_question(text: str) -> str | None:
    """The offer "Je vroeg ook: … Wil je daar ook antwoord op?" for a second question."""
    others = other_questions(text)
    if not others:
        return None
    return f"Je vroeg ook: „{_quote(others[0])}” Wil je daar ook antwoord op?"
