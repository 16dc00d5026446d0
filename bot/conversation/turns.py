"""What a user turn inside a form is, and what Koers does with it: one policy for every form.

Every form (scan, preparation, practice, coach booking, cancelling, moving) asks one question
at a time. The employee's reply is either the answer, or something else: a way out ("stop"),
a correction ("terug"), a side question ("wie kan dit lezen?") or a new request ("ik wil een
voucher"). This module is the one place that decides which (:func:`classify_turn`) and what
follows (:data:`SIDE_ANSWERS`, :data:`NEW_REQUESTS`, :data:`PAUSED_LINES`). The one adapter,
``actions/form_turns.py::TurnTakingFormValidation``, runs it first in every form's validation
action, so no rule per form and intent is needed: a new intent is one line here.

The forms differ in what their answers look like, so the same intent does not interrupt
everywhere in the same way: a scan answer is a word on a 5-point scale, a preparation answer
is free text that NLU easily reads as another intent ("ik wil een coach" answers "wat vraag
je?"), a booking answer is a region, a day or a yes. :data:`FORM_TURNS` spells this out per
form (which message shapes count), from the one catalogue :data:`INTERRUPTING_INTENTS` and with
one confidence threshold, :data:`INTERRUPTION_CONFIDENCE`.

No Rasa imports: the NLU result comes in as plain values.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from types import MappingProxyType

from bot.conversation.guards import form_interruption
from bot.conversation.guards import is_question as any_question


class TurnKind(str, enum.Enum):
    """What the employee did with the question the form asked."""

    #: Answered (or gave free text the form judges itself).
    ANSWER = "answer"
    #: Wants to change an earlier answer ("terug").
    CORRECTION = "correction"
    #: Wants out of the form ("stop", "laat maar", "doei").
    ESCAPE = "escape"
    #: Asks or says something beside the question; the form goes on after the answer.
    SIDE_QUESTION = "side_question"
    #: Wants another flow (a voucher, the scan, erasing the conversation).
    NEW_REQUEST = "new_request"
    #: Meant to answer, but the form could not read the answer: ask again kindly.
    UNCLEAR = "unclear"


#: Every intent that can interrupt a form question, with what it means there. Why each one:
INTERRUPTING_INTENTS: Mapping[str, TurnKind] = MappingProxyType(
    {
        # The way out: the rule pauses or ends the form ("stop", "laat maar", "doei").
        "stop": TurnKind.ESCAPE,
        "goodbye": TurnKind.ESCAPE,
        # "Terug": change the previous answer (scan and preparation have a previous question).
        "go_back": TurnKind.CORRECTION,
        # Trust questions must always get their answer, also halfway a form.
        "ask_privacy": TurnKind.SIDE_QUESTION,
        "bot_challenge": TurnKind.SIDE_QUESTION,
        # Help about Koers itself and frequent questions ("wat is EVC?").
        "ask_capabilities": TurnKind.SIDE_QUESTION,
        "faq": TurnKind.SIDE_QUESTION,
        "ask_workshops": TurnKind.SIDE_QUESTION,
        "human_handoff": TurnKind.SIDE_QUESTION,
        "out_of_scope": TurnKind.SIDE_QUESTION,
        # What holds the employee back deserves its tips before the next question.
        "mention_barrier": TurnKind.SIDE_QUESTION,
        "express_worry": TurnKind.SIDE_QUESTION,
        # Another capability: the rule starts or answers it, the form waits or goes on.
        "request_coach": TurnKind.NEW_REQUEST,
        "request_voucher": TurnKind.NEW_REQUEST,
        "check_voucher_status": TurnKind.NEW_REQUEST,
        "cancel_booking": TurnKind.NEW_REQUEST,
        "reschedule_booking": TurnKind.NEW_REQUEST,
        "start_scan": TurnKind.NEW_REQUEST,
        "restart_scan": TurnKind.NEW_REQUEST,
        "prepare_conversation": TurnKind.NEW_REQUEST,
        "practice_conversation": TurnKind.NEW_REQUEST,
        # Privacy rights are never held up by a question: erase now, stop counting now.
        "request_erasure": TurnKind.NEW_REQUEST,
        # Stopping to count is done at once, then the same question comes back.
        "opt_out_trends": TurnKind.SIDE_QUESTION,
        "opt_in_trends": TurnKind.SIDE_QUESTION,
        # Care comes before any question: illness, feeling unsafe, a reorganisation.
        "health_concern": TurnKind.SIDE_QUESTION,
        "feel_unsafe": TurnKind.SIDE_QUESTION,
        "reorganisation": TurnKind.SIDE_QUESTION,
        # What Koers holds about this conversation, asked halfway a form.
        "ask_my_data": TurnKind.SIDE_QUESTION,
        "ask_remember_me": TurnKind.SIDE_QUESTION,
        # Facts about the coach conversation and a lost code: answered, the form goes on.
        "ask_coach_facts": TurnKind.SIDE_QUESTION,
        "lost_booking_code": TurnKind.SIDE_QUESTION,
        # Issue 17: opportunities in the region and the EVC check start their own flow.
        "find_opportunities": TurnKind.NEW_REQUEST,
        "check_evc": TurnKind.NEW_REQUEST,
        "cancel_signup": TurnKind.NEW_REQUEST,
        "move_signup": TurnKind.NEW_REQUEST,
    }
)

#: How sure NLU must be before a message inside a form counts as something else than the
#: answer, the same for every form. Below it the message is the employee's answer (or
#: unclear), never an interruption: a wrongly taken interruption loses the turn, a wrongly kept
#: answer is asked again kindly. Measured with the trained model on tests/data/nlu_holdout.yml
#: (224 interrupting messages) and 36 typical form answers: at 0.5 / 0.6 / 0.7 NLU catches
#: 200 / 197 / 191 interruptions with the right intent and takes 16 / 14 / 12 other messages
#: for an interruption; of the form answers 11 / 9 / 8 look like an interruption, nearly all
#: at 0.93 or more ("maandag" as out_of_scope), which no threshold fixes: the shapes and the
#: booking forms' answer-first reading do. 0.6 keeps nearly every interruption, drops the
#: unsure ones ("ja dat klopt" as faq, 0.55) and sits well above the FallbackClassifier (0.4).
INTERRUPTION_CONFIDENCE = 0.6


class Shape(str, enum.Enum):
    """What the message must look like before its intent interrupts."""

    #: Any message.
    ANY = "any"
    #: More than one word: one loose word is more likely a misread answer ("banaan").
    SEVERAL_WORDS = "several_words"
    #: At most :data:`COMMAND_MAX_WORDS` words: a command, not a free-text answer about it.
    SHORT = "short"
    #: A question ("wat is EVC?", "mag ik ..."): a statement is a free-text answer.
    QUESTION = "question"


COMMAND_MAX_WORDS = 4
_QUESTION_WORDS = frozenset(
    {"wat", "hoe", "waar", "wie", "waarom", "wanneer", "kan", "mag", "kun", "heb", "is"}
)


def is_question(text: str) -> bool:
    """Holds a question mark or opens with a Dutch question word.

    Anywhere, not only at the end: "moet ik het tegen P&O zeggen? of kan dat tegen me werken"
    is a question with a second clause after it (walkthrough of 2026-12-02).
    """
    return "?" in text or text.lower().split(" ", 1)[0] in _QUESTION_WORDS


def word_count(text: str) -> int:
    return len(text.split())


@dataclass(frozen=True)
class FormTurns:
    """How one form tells an answer from an interruption."""

    #: Intent -> the shape the message must have to interrupt (absent: never interrupts).
    interrupts: Mapping[str, Shape]
    #: An answer the form could read wins over an interruption up to this many words
    #: (None: always). Long messages with a scale word ("ik wil niet meetellen") are not answers.
    answer_wins_up_to_words: int | None = None
    #: A button payload ("/stop") always interrupts, except for these intents; None: payloads
    #: are judged like typed text.
    payload_exempt: frozenset[str | None] | None = None
    #: Answers are free text, so a question typed there is never the answer: it is a side
    #: question even when NLU is less sure (see :func:`side_question_in_free_text`).
    free_text: bool = False
    #: A typed question this form's parser cannot read, named by its words: the side
    #: question's intent ("waar is dat dan?" while choosing a coach's time), or None.
    question_by_words: Callable[[str], str | None] | None = None
    #: An answer word that opens a longer statement wins over a new request it mentions.
    answer_opening: re.Pattern[str] | None = None

    def shape_ok(self, intent: str, text: str) -> bool:
        shape = self.interrupts.get(intent)
        if shape is None:
            return False
        if shape is Shape.SEVERAL_WORDS:
            return word_count(text) > 1
        if shape is Shape.SHORT:
            return word_count(text) <= COMMAND_MAX_WORDS
        if shape is Shape.QUESTION:
            return is_question(text)
        return True


def _all(intents: frozenset[str], shape: Shape) -> dict[str, Shape]:
    unknown = intents - INTERRUPTING_INTENTS.keys()
    if unknown:  # a misspelt intent would silently never interrupt
        raise ValueError(f"not in INTERRUPTING_INTENTS: {sorted(unknown)}")
    return dict.fromkeys(intents, shape)


_EVERY = frozenset(INTERRUPTING_INTENTS)

#: The scan: everything interrupts except practising (that needs a finished preparation).
#: One loose word interrupts only as a clear command or question ("stop", "terug", "privacy").
_SCAN_ONE_WORD = frozenset(
    {
        "stop",
        "goodbye",
        "go_back",
        "restart_scan",
        "start_scan",
        "ask_privacy",
        "faq",
        "human_handoff",
        "ask_capabilities",
        "ask_workshops",
        "request_coach",
        "request_voucher",
        "request_erasure",
    }
)
SCAN_TURNS = FormTurns(
    interrupts=_all(_EVERY - {"practice_conversation"}, Shape.SEVERAL_WORDS)
    | _all(_SCAN_ONE_WORD, Shape.ANY),
    answer_wins_up_to_words=2,  # "ja", "4", "best wel" stay answers whatever NLU saw
    answer_opening=re.compile(
        r"^\W*(?:ja|jazeker|jawel|jep|jup|nee|klopt|zeker|soms|helemaal|best\s+wel|niet\s+echt|"
        r"een\s+beetje|mwah|vaak|nooit|altijd)\b",
        re.IGNORECASE,
    ),
)

#: Preparation answers are free text, so only short commands and real questions interrupt;
#: a barrier is handled inside the form (tips, then the same question), not by a rule.
_PREPARE_COMMANDS = frozenset({"stop", "go_back", "request_erasure", "opt_out_trends", "goodbye"})
_PREPARE_QUESTIONS = _EVERY - _PREPARE_COMMANDS - {"mention_barrier", "express_worry"}
PREPARE_TURNS = FormTurns(
    interrupts=_all(_PREPARE_COMMANDS, Shape.SHORT) | _all(_PREPARE_QUESTIONS, Shape.QUESTION),
    payload_exempt=frozenset({None, "answer_scale"}),
    free_text=True,
)

#: Practising: the employee answers the manager in free text; only short commands interrupt.
PRACTICE_TURNS = FormTurns(
    interrupts=_all(_PREPARE_COMMANDS, Shape.SHORT),
    payload_exempt=frozenset(),
)

#: Booking, cancelling and moving: an answer the form can read always wins; otherwise these
#: interrupt. Not here: "terug" (the forms have no going back), barriers and worries ("ik heb
#: geen tijd op maandag" is an answer about days), asking for a coach (this is that flow),
#: the scan restart and practising.
_NOT_IN_BOOKING = frozenset(
    {"go_back", "mention_barrier", "express_worry", "request_coach", "restart_scan"}
    | {"practice_conversation"}
)
BOOKING_TURNS = FormTurns(interrupts=_all(_EVERY - _NOT_IN_BOOKING, Shape.ANY))


def coach_fact_question(text: str) -> str | None:
    """ "waar is dat dan?", "hoe lang duurt dat?" while choosing or confirming a coach's time:
    the coach facts, whatever NLU read (walkthrough 2026-12-03c: the list came back)."""
    from bot.ledger.facts import (
        TOPIC_WHO_KNOWS,
        topics_in,  # pure; imported late, like _topic_question
    )

    topics = topics_in(text)
    asked = is_question(text) or any_question(text)  # "ik vroeg WAAR. welke plaats"
    # "weet mn baas ervan ja of nee" is a question without its mark (2026-12-04b)
    return "ask_coach_facts" if topics and (asked or TOPIC_WHO_KNOWS in topics) else None


COACH_TURNS = replace(BOOKING_TURNS, question_by_words=coach_fact_question)

#: The EVC check: an answer it can read ("hbo", "12", "sla over") always wins, like booking.
#: Not here: "terug" (no going back), barriers and worries ("ik heb geen diploma" is an answer),
#: practising and starting the check again (this is that flow). As in the scan, one loose word
#: ("tja") is a misread answer unless it is a clear command.
_NOT_IN_EVC = frozenset(
    {"go_back", "mention_barrier", "express_worry", "practice_conversation", "check_evc"}
)
EVC_TURNS = FormTurns(
    interrupts=_all(_EVERY - _NOT_IN_EVC, Shape.SEVERAL_WORDS)
    | _all(_SCAN_ONE_WORD - _NOT_IN_EVC, Shape.ANY)
)

FORM_TURNS: Mapping[str, FormTurns] = MappingProxyType(
    {
        "scan_form": SCAN_TURNS,
        "prepare_form": PREPARE_TURNS,
        "practice_form": PRACTICE_TURNS,
        "coach_form": COACH_TURNS,
        "booking_cancel_form": BOOKING_TURNS,
        "booking_reschedule_form": COACH_TURNS,
        "evc_form": EVC_TURNS,
        "signup_form": BOOKING_TURNS,
    }
)


@dataclass(frozen=True)
class Turn:
    """The classified turn: its kind and the intent a rule answers it by."""

    kind: TurnKind
    intent: str | None = None
    #: Read from the words themselves ("terug, bij vraag 5 ...", "even tussendoor: ...?"),
    #: not from NLU's confidence: such a turn need not meet :data:`INTERRUPTION_CONFIDENCE`.
    by_words: bool = False

    @property
    def interrupts(self) -> bool:
        """True when the form must leave its question open for a rule."""
        return self.kind not in (TurnKind.ANSWER, TurnKind.UNCLEAR)


def kind_of(intent: str | None) -> TurnKind:
    """The kind of an interruption by this intent; a button of any other flow is a new request."""
    return INTERRUPTING_INTENTS.get(intent or "", TurnKind.NEW_REQUEST)


#: Issue 17, one intent per topic: "wat is EVC?" is check_evc and "wat is een meeloopstage?"
#: or "hoort mijn leidinggevende dat?" is find_opportunities; the flow's start action answers
#: them (bot/opportunities/chat.py tells such a question from a request). Inside a form they
#: are a side question under these names: answered by that action, then the form goes on.
TOPIC_QUESTIONS: Mapping[str, str] = MappingProxyType(
    {"check_evc": "explain_evc", "find_opportunities": "explain_opportunities"}
)


def _topic_question(intent: str, text: str) -> bool:
    """A question about the topic, not a request to start its flow (see TOPIC_QUESTIONS)."""
    from bot.opportunities import chat  # pure; imported late to keep this module's imports light

    if intent == "check_evc":
        return chat.asks_what_it_is(text)
    kinds = chat.kinds_in(text)
    about_types = kinds is not None and set(kinds) <= {"meeloopstage", "uitwisseling"}
    return chat.asks_who_is_told(text) or (about_types and chat.asks_what_it_is(text))


def _interruption(
    turns: FormTurns, intent: str | None, confidence: float, text: str
) -> Turn | None:
    if turns.payload_exempt is not None and text.startswith("/"):
        return None if intent in turns.payload_exempt else Turn(kind_of(intent), intent)
    if intent is None or confidence < INTERRUPTION_CONFIDENCE:
        return None
    if not turns.shape_ok(intent, text):
        return None
    if intent in TOPIC_QUESTIONS and _topic_question(intent, text):
        return Turn(TurnKind.SIDE_QUESTION, TOPIC_QUESTIONS[intent], by_words=True)
    return Turn(kind_of(intent), intent)


@dataclass(frozen=True)
class GoBack:
    """ "terug", "vorige vraag", "bij vraag 5 ook budget voor opleiding": where to, what to add.

    In the walkthrough of 2026-12-03 "terug, ik wil bij vraag 5 ook budget voor opleiding
    noemen" was stored as the answer to question 6: NLU reads "terug" only in a short message.
    """

    #: The question number the employee named ("bij vraag 5"); None: the previous question.
    question: int | None = None
    #: Words to add to that answer ("budget voor opleiding").
    addition: str | None = None
    #: Words that replace that answer ("terug, ik bedoel plannen en geduld").
    replacement: str | None = None
    #: Wants to add to that answer but gave no words yet ("bij vraag 3 wil ik nog iets
    #: toevoegen"): Koers shows the answer and asks what to add (walkthrough 2026-12-03b).
    add_wished: bool = False
    #: "dat was mijn antwoord op vraag 3, bij vraag 2 bedoel ik: ...": the earlier answer
    #: belongs to this question.
    moved_to: int | None = None


_LEAD = r"^\W*(?:(?:nee|wacht|oh|oeps|sorry|ok|oké|even)\W+)*"
#: "terug" as a command: alone, before a comma or full stop, or "terug naar (de vorige) vraag";
#: not "terug naar mijn oude afdeling", which can be a goal.
_BACK = re.compile(
    _LEAD + r"(?:ga\s+|even\s+)*terug(?:\s+naar\s+(?:de\s+)?(?:vorige\s+)?vraag\b)?"
    r"(?=\s*(?:$|[,.!:;-]|\s(?:ik|wil|bij|vraag)\b))",
    re.IGNORECASE,
)
_PREVIOUS = re.compile(r"(?:\b(?:bij|naar|in|op)\s+)?(?:\bde\s+)?\bvorige\s+vraag\b", re.I)
_NUMBERED = re.compile(r"(?:\b(?:bij|naar|in|op)\s+|^\W*)vraag\s+(\d{1,2})\b", re.IGNORECASE)
_REPLACE = re.compile(
    r"^(?:ik\s+)?(?:bedoel(?:de)?(?:\s+ik)?|moet\s+zijn|het\s+is|liever)\s*:?\s+(?P<rest>.+)$",
    re.IGNORECASE,
)
_ADD_SIGNAL = re.compile(r"\b(?:ook|erbij|toevoegen|bijzetten|nog)\b", re.IGNORECASE)
_ADD_LEAD = re.compile(
    r"^(?:(?:ik\s+wil|wil\s+ik|ik\s+zou|zou\s+ik|zet|voeg|doe|noem|graag|dan|er|daar|"
    r"ook|nog|wel|graag)\b\W*)+",
    re.IGNORECASE,
)
_ADD_TAIL = re.compile(
    r"(?:\W*\b(?:noemen|toevoegen|bijzetten|bij|zetten|erbij|zeggen|vragen|graag|aub|"
    r"alsjeblieft|toe|doen|hebben|staan)\b)+\W*$",
    re.IGNORECASE,
)
_MAX_ADDITION_WORDS = 12
#: "ik wil nog iets toevoegen", "mag ik wat aanvullen": the wish to add, without the words.
_ADD_WISH = re.compile(
    r"\b(?:iets|wat|een\s+ding|meer)\s+(?:aan\s+)?(?:toevoegen|bij\s*zetten|erbij\s+zetten|"
    r"aanvullen|bij\s*doen)\b|\baanvullen\b",
    re.IGNORECASE,
)
#: "dat was (eigenlijk) mijn antwoord op vraag 3": which question an earlier answer was for.
_WAS_FOR = re.compile(
    r"\b(?:dat|het|die)\s+(?:vorige\s+)?was\s+(?:eigenlijk\s+)?(?:mijn\s+)?(?:antwoord\s+)?"
    r"(?:op|voor|bij|van)\s+vraag\s+(\d{1,2})\b",
    re.IGNORECASE,
)
#: Before a colon: the words after it replace the answer ("bij vraag 2 bedoel ik: ...").
_REPLACE_BEFORE_COLON = re.compile(
    r"\b(?:bedoel(?:de)?|moet\s+(?:het\s+)?zijn|wordt|is\s+het|liever|verander)\b", re.I
)


def _tidy(words: str) -> str:
    return words.strip(" \t,.;:!-").strip()


def parse_go_back(text: str) -> GoBack | None:
    """The go-back a message asks for, or None when it is no go-back at all."""
    rest = text.strip()
    back = _BACK.match(rest)
    numbered = _NUMBERED.search(rest)
    previous = _PREVIOUS.search(rest)
    was_for = _WAS_FOR.search(rest)
    if was_for is not None:  # "dat was mijn antwoord op vraag 3, bij vraag 2 bedoel ik: ..."
        numbered = next(
            (m for m in _NUMBERED.finditer(rest) if m.start(1) != was_for.start(1)), None
        )
    if not (back or numbered or previous):
        return None
    number = int(numbered.group(1)) if numbered else None
    moved_to = int(was_for.group(1)) if was_for is not None else None
    before, colon, after = rest.partition(":")
    if colon and _tidy(after) and not is_question(after):
        after = _tidy(after)
        if _REPLACE_BEFORE_COLON.search(before):
            return GoBack(number, replacement=after, moved_to=moved_to)
        if _ADD_SIGNAL.search(before):
            return GoBack(number, addition=after)
    for match in (back, numbered, previous):
        if match is not None:
            rest = rest.replace(match.group(0), " ", 1)
    rest = _tidy(" ".join(rest.split()))
    replaced = _REPLACE.match(rest)
    if replaced:
        return GoBack(number, replacement=_tidy(replaced.group("rest")) or None)
    if not _ADD_SIGNAL.search(rest):
        return GoBack(number)
    if _ADD_WISH.search(rest):
        return GoBack(number, add_wished=True)
    addition = _tidy(_ADD_TAIL.sub("", _ADD_LEAD.sub("", rest)))
    if not addition or word_count(addition) > _MAX_ADDITION_WORDS:
        return GoBack(number)
    return GoBack(number, addition=addition)


#: Words that announce a side question in a free-text answer ("even tussendoor: ...",
#: "nee ik vroeg iets!", "wacht even, ...").
_SIDE_MARKERS = re.compile(
    # "tussendoor" alone is also an answer ("Een gesprek tussendoor"): only "even tussendoor"
    # or "tussendoor:" announces a question
    r"\b(?:even\s+tussen\s*door|vraagje|ik\s+vroeg\s+iets|ik\s+heb\s+een\s+vraag|btw|"
    r"trouwens)\b|\btussen\s*door\s*[:,;-]|^\W*wacht\s+(?:even|eens)\b",
    re.IGNORECASE,
)
#: A question about this conversation itself: whether it is kept, who reads it.
_ABOUT_THIS_CHAT = re.compile(
    r"\b(?:bewaar\w*|opgeslagen|opslaan|meelezen|meekijken|lezen|leest|privacy|anoniem|"
    r"wie\s+ziet|ziet\s+(?:iemand|mijn\s+\w+)\s+(?:dit|dat|het))\b",
    re.IGNORECASE,
)
#: Trust and care questions are never a free-text answer, so NLU need not be sure of them.
_NEVER_AN_ANSWER = frozenset(
    {
        "ask_privacy",
        "ask_my_data",
        "ask_remember_me",
        "bot_challenge",
        "human_handoff",
        "health_concern",
        "feel_unsafe",
        "reorganisation",
    }
)
#: How sure NLU must be of a side question in a message that is a question in a free-text form.
SIDE_QUESTION_CONFIDENCE = 0.3
#: A side question no intent claims: answered honestly that Koers cannot answer it here.
UNANSWERED = "unanswered_side_question"


def side_question_in_free_text(intent: str | None, confidence: float, text: str) -> Turn | None:
    """A question typed where a free-text answer is asked: answered, then the same question.

    "wordt dit antwoord ook bewaard?" and "even tussendoor: moet ik het tegen P&O zeggen?"
    were stored as preparation answers (walkthrough of 2026-12-02). A question about this
    conversation gets the privacy answer; a marked side question or a trust or care question
    its intent's answer at a lower confidence; a marked one no intent claims an honest "not
    here". An unmarked question on another subject ("mag ik een cursus volgen?") stays an
    answer: it can be what the employee wants to ask the manager.
    """
    question = is_question(text)
    marker = _SIDE_MARKERS.search(text)
    # A statement is a side remark only when the marker opens it ("trouwens, ..."): "dat wil
    # ik trouwens niet op het blad" at the worry question is the answer (2026-12-04).
    marked = marker is not None and (question or len(text[: marker.start()].split()) <= 1)
    if not (question or marked):
        return None
    if question and _ABOUT_THIS_CHAT.search(text):
        return Turn(TurnKind.SIDE_QUESTION, "ask_privacy", by_words=True)
    sure = intent is not None and confidence >= SIDE_QUESTION_CONFIDENCE
    side = INTERRUPTING_INTENTS.get(intent or "") is TurnKind.SIDE_QUESTION
    if sure and side and (marked or intent in _NEVER_AN_ANSWER):
        return Turn(TurnKind.SIDE_QUESTION, intent, by_words=True)
    if marked:
        return Turn(TurnKind.SIDE_QUESTION, UNANSWERED, by_words=True)
    return None


#: "laat maar, die vragen had ik al beantwoord": a way out at the start of a longer message,
#: which NLU does not always read as "stop" (walkthrough 2026-12-03b, the EVC check).
_STOP_WORDS = re.compile(
    r"^\W*(?:(?:ach|nee|oh|ok|oké|nou|hmm)\W+)*"
    r"(?:laat\s+(?:ook\s+|het\s+)?maar(?:\s+(?:zitten|even|dan))?|hou\s+(?:er\s+)?maar\s+op)"
    r"\s*(?:[,.!;:]|$)",
    re.I,
)


#: "nee ik vroeg naar een cursus", "dat vroeg ik niet", "huh, ik bedoelde …": the employee
#: says the last reply missed their question; it is no answer to the form's question.
_OBJECTION = re.compile(
    r"(?:^|[.?!]\s*)\W*(?:(?:nee|huh|hè|he|maar)\W+)*ik\s+(?:vroeg|bedoelde|had\s+het\s+over)\b|"
    r"\bdat\s+(?:vroeg|bedoelde)\s+ik\s+(?:niet|helemaal\s+niet)\b",
    re.IGNORECASE,
)


#: "Ik stop voorlopig met de scan.", "ik zei juist dat ik wil STOPPEN met de scan": a way out
#: said in a sentence, with the form or nothing as its object (walkthrough 2026-12-04b: the
#: scan went on, and the protest was stored as an answer). "ik wil stoppen met baliewerk" is
#: an answer, not this.
_STOP_SENTENCE = re.compile(
    r"\b(?:ik\s+(?:stop|kap|hou|houd)|(?:ik\s+)?wil\s+(?:(?:\w+\s+){0,2})(?:stoppen|ophouden))"
    r"(?:\s+(?:er|nu|even|voorlopig|maar|hier|dan|echt|liever))*"
    r"\s*(?:ermee|hiermee|mee\b|op\b|met\s+(?:de|deze|dit|het|die)\s+(?:scan|talentscan|voorbereiding|"
    r"vragen|vragenlijst|check|evc-check|oefenen|boeking|aanvraag)\b|[.!,;]|$)",
    re.IGNORECASE,
)
_NOT_STOPPING = re.compile(r"\bniet\s+(?:\w+\s+)?(?:stoppen|ophouden)\b", re.IGNORECASE)


def says_stop(text: str) -> bool:
    """A message that opens with "laat maar" or "hou maar op" (not "laat maar zien")."""
    return bool(_STOP_WORDS.search(text))


#: "dit gaat weer over ontwikkeling. ik wil nu even niet. stop": the way out at the end.
_STOP_AT_END = re.compile(
    r"(?:^|[.!?,;]\s*)(?:stop|stoppen|ik\s+wil\s+(?:nu\s+)?(?:even\s+)?niet(?:\s+meer)?)\s*[.!]*\s*$",
    re.IGNORECASE,
)


def stops_in_a_sentence(text: str) -> bool:
    """ "Ik stop voorlopig met de scan." anywhere in the message, not negated; or a stop at
    its end ("… ik wil nu even niet. stop", walkthrough 2026-12-04c)."""
    if _STOP_AT_END.search(text):
        return True
    return bool(_STOP_SENTENCE.search(text)) and not _NOT_STOPPING.search(text)


def classify_turn(
    *,
    form: str,
    intent: str | None,
    confidence: float,
    text: str,
    answer_understood: bool | None = None,
) -> Turn:
    """What the employee's message is inside ``form``, where a question is open.

    ``answer_understood`` is whether the form's own parser read an answer in the message
    (True/False), or None for free text the form judges after this (the preparation). A
    message that is no answer and no interruption is UNCLEAR: the form asks again.

    Read from the words first, whatever NLU saw: "terug" and "bij vraag N" in a form that can
    go back (:func:`parse_go_back`), and in a free-text form a question typed as the answer
    (:func:`side_question_in_free_text`).
    """
    turns = FORM_TURNS[form]
    stripped = text.strip()
    typed = not stripped.startswith("/")
    if typed and form in CORRECTIONS and parse_go_back(stripped) is not None:
        return Turn(TurnKind.CORRECTION, "go_back", by_words=True)
    if typed and answer_understood is not True and says_stop(stripped):
        return Turn(TurnKind.ESCAPE, "stop", by_words=True)
    if typed and word_count(stripped) > 2 and stops_in_a_sentence(stripped):
        return Turn(TurnKind.ESCAPE, "stop", by_words=True)
    # "stop. wis mijn gegevns dan maar" was stored as an answer (2026-12-03): an erase request
    # and "stop" at the start interrupt every form, whatever its shapes (bot/conversation/guards.py)
    worded = form_interruption(stripped) if typed else None
    if worded is not None:
        return Turn(kind_of(worded), worded, by_words=True)
    interruption = _interruption(turns, intent, confidence, stripped)
    asked = turns.question_by_words(stripped) if typed and turns.question_by_words else None
    if typed and not turns.free_text and _OBJECTION.search(stripped) and word_count(text) > 2:
        # "nee ik vroeg naar een cursus" in the scan was stored as "klopt niet" (2026-12-04)
        if interruption is not None:
            return interruption
        return Turn(TurnKind.SIDE_QUESTION, asked or UNANSWERED, by_words=True)
    limit = turns.answer_wins_up_to_words
    if answer_understood and (interruption is None or limit is None or word_count(text) <= limit):
        return Turn(TurnKind.ANSWER, intent)
    opens_with_answer = turns.answer_opening is not None and turns.answer_opening.match(stripped)
    if (
        answer_understood
        and opens_with_answer
        and "?" not in stripped
        and (interruption is None or interruption.kind is TurnKind.NEW_REQUEST)
    ):  # "ja lijkt me wel vet, bijv meelopen bij een andere afdeling": the answer, with an
        # example (walkthrough 2026-12-04c paused the scan for the listings)
        return Turn(TurnKind.ANSWER, intent)
    if interruption is not None:
        return interruption
    if typed and turns.free_text:
        side = side_question_in_free_text(intent, confidence, stripped)
        if side is not None:
            return side
    if asked is not None and answer_understood is not True:
        return Turn(TurnKind.SIDE_QUESTION, asked, by_words=True)
    if answer_understood is False:
        return Turn(TurnKind.UNCLEAR, intent)
    return Turn(TurnKind.ANSWER, intent)


#: The erasure confirmation is a question of its own ("Wil je dat ik dit hele gesprek wis?"),
#: answered by the yes/no rules in data/rules/basics.yml; it is a "form" of one step.
ERASURE_CONFIRMATION = "utter_confirm_erasure"

#: Side question -> what answers it: response names (``utter_*``) or action names, in order.
#: ``faq`` is answered from the response selector's pick for the message itself.
FAQ = "faq"
SIDE_ANSWERS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "ask_privacy": ("action_answer_privacy",),
        "bot_challenge": ("utter_bot_challenge",),
        "ask_capabilities": ("utter_capabilities",),
        FAQ: ("action_answer_faq",),
        "ask_workshops": ("action_show_workshops",),
        "human_handoff": ("utter_human_handoff",),
        "out_of_scope": ("action_out_of_scope",),
        "mention_barrier": ("action_support_barrier",),
        "express_worry": ("action_support_barrier",),
        "opt_out_trends": ("action_opt_out_trends", "utter_opt_out_done"),
        "opt_in_trends": ("action_opt_in_trends",),
        "health_concern": ("action_care_health",),
        "feel_unsafe": ("utter_care_unsafe",),
        "reorganisation": ("utter_care_reorganisation",),
        "ask_my_data": ("action_show_my_data",),
        "ask_remember_me": ("action_what_i_remember",),
        "ask_coach_facts": ("action_coach_facts",),
        "lost_booking_code": ("action_find_booking_code",),
        UNANSWERED: ("utter_side_question_later",),
        # Issue 17: the topic's start action explains and does not start its flow here.
        "explain_evc": ("action_evc_start",),
        "explain_opportunities": ("action_show_opportunities",),
    }
)


@dataclass(frozen=True)
class Switch:
    """How a new request starts its flow from inside a form.

    ``start`` runs at once (the action the flow's start rule runs), then ``follow`` runs next:
    the flow's form, which activates itself, or its one action. None: listen.
    """

    start: str | None
    follow: str | None


NEW_REQUESTS: Mapping[str, Switch] = MappingProxyType(
    {
        "request_coach": Switch("action_coach_start", "coach_form"),
        "cancel_booking": Switch("action_booking_change_start", "booking_cancel_form"),
        "reschedule_booking": Switch("action_booking_change_start", "booking_reschedule_form"),
        "request_voucher": Switch(None, "action_request_voucher"),
        "check_voucher_status": Switch(None, "action_voucher_status"),
        "start_scan": Switch("action_scan_start", "scan_form"),
        "restart_scan": Switch("action_scan_reset", "scan_form"),
        "prepare_conversation": Switch("action_prepare_start", "prepare_form"),
        "practice_conversation": Switch("action_practice_start", "practice_form"),
        "request_erasure": Switch(None, ERASURE_CONFIRMATION),
        "find_opportunities": Switch(None, "action_show_opportunities"),
        "check_evc": Switch("action_evc_start", "evc_form"),
        "cancel_signup": Switch("action_signup_cancel_start", "signup_form"),
        "move_signup": Switch(None, "action_signup_move_start"),
    }
)

#: One short line when a form waits for another flow: how to come back to it.
PAUSED_LINES: Mapping[str, str] = MappingProxyType(
    {
        "scan_form": "Je scan staat even op pauze. Zeg 'verder met de scan' als je verder wilt.",
        "prepare_form": (
            "Je voorbereiding staat even op pauze. "
            "Zeg 'verder met de voorbereiding' als je verder wilt."
        ),
        "practice_form": "Het oefenen staat even op pauze. Zeg 'oefenen' als je verder wilt.",
        "coach_form": "Ik stop met de aanvraag voor een coach. Zeg 'ik wil een coach' als je wilt.",
        "booking_cancel_form": "Ik zeg je afspraak niet af. Je afspraak blijft staan.",
        "booking_reschedule_form": "Ik verzet je afspraak niet. Je afspraak blijft staan.",
        "evc_form": "De EVC-check staat even op pauze. Zeg 'is EVC iets voor mij?' als je wilt.",
        "signup_form": "Ik verander niets aan je inschrijving. Je voucher blijft zoals hij was.",
    }
)


def _check_tables() -> None:
    """Every answered intent is a side question, every switch a new request (no silent gaps)."""
    for intent in SIDE_ANSWERS:
        if intent == UNANSWERED or intent in TOPIC_QUESTIONS.values():  # read from the words
            continue
        if INTERRUPTING_INTENTS.get(intent) is not TurnKind.SIDE_QUESTION:
            raise ValueError(f"{intent} answered as side question but not classified so")
    for intent, kind in INTERRUPTING_INTENTS.items():
        if kind is TurnKind.SIDE_QUESTION and intent not in SIDE_ANSWERS:
            raise ValueError(f"side question {intent} has no answer")
        if kind is TurnKind.NEW_REQUEST and intent not in NEW_REQUESTS:
            raise ValueError(f"new request {intent} has no flow to switch to")


_check_tables()

#: What a form says when the employee wants out ("stop", "laat maar", "doei"): a response or
#: action name. The scan and the preparation keep their answers and say how to resume.
ESCAPES: Mapping[str, str] = MappingProxyType(
    {
        "scan_form": "utter_scan_paused",
        "prepare_form": "action_prepare_pause",
        "practice_form": "action_prepare_pause",
        "coach_form": "utter_stopped",
        "booking_cancel_form": "utter_stopped",
        "booking_reschedule_form": "utter_stopped",
        "evc_form": "utter_evc_stopped",
        "signup_form": "utter_signup_stopped",
    }
)

#: "Terug": the action that clears the previous answer. Forms without one (the booking forms)
#: get the message as an answer, so their slot methods read the correction ("nee, donderdag").
CORRECTIONS: Mapping[str, str] = MappingProxyType(
    {"scan_form": "action_scan_go_back", "prepare_form": "action_prepare_go_back"}
)
