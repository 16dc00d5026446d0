"""Word-level guards on NLU's intent: settings and erasing change only on a clear request.

NLU is a good guesser, but for a few decisions a wrong guess costs the employee's trust
(walkthrough of 2026-12-03, a privacy-minded P&O assistant): "wat slaat Koers op en wie kan
dat lezen?" got the erase confirmation, "Nee, ik wil niks wissen" at that confirmation got it
again, "Zien coördinatoren dat ik het ben?" switched counting off, "Zet het meetellen maar
weer aan" switched it off again, "wat tellen jullie?" switched it on, and "Ik wil niet opnieuw
beginnen" restarted the scan. These rules read the words and correct NLU only in those cases.
Each rule is narrow and documented; when no rule applies NLU's intent stands.

The rules, in the order :func:`guard_intent` tries them:

1. :func:`counting_wish` - an explicit wish about the anonymous counts ("zet het meetellen
   weer aan", "ik wil wel meetellen" / "ik wil niet meetellen", "buiten de telling") is that
   setting, when NLU read it as the other setting or as something harmless.
2. :func:`asks_about_counts` - a question about what is counted or what coordinators see,
   without such a wish, is the privacy question: a setting never changes on a question.
3. :func:`negated_request` - a destructive or state-changing request in negated words ("ik
   wil niks wissen", "niet opnieuw beginnen", "niet afzeggen", "geen coach nodig") is a no,
   or the privacy question it carries ("Nee, ik wil niks wissen. Ik vroeg wat je opslaat");
   a plain no that carries a privacy question is that question too.
4. An erase guess for a privacy question with no erase word ("wat slaat Koers op?") is
   the privacy question.
5. :func:`bot.conversation.erasure.erasure_meant` - an erase request in plain words that NLU
   took for goodbye, stop or the fallback is the erase request (Koers asks before erasing).
6. :func:`asks_who_reads` - "kan iemand van P&O lezen wat ik typ?" read as a reorganisation,
   a hand-off or the fallback is the privacy question.

Inside a form, :func:`form_interruption` reads two commands from the words whatever the
form's shape rules say: an erase request and "stop" at the start of the message. Both were
stored as preparation answers ("stop. wis mijn gegevns dan maar").

Pure: text and intent in, a :class:`Guarded` or None out. No Rasa imports.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.conversation.erasure import asks_erasure, erasure_meant
from bot.conversation.glossary import explained_term

ASK_PRIVACY = "ask_privacy"
ASK_MY_DATA = "ask_my_data"
DENY = "deny"
ERASE = "request_erasure"
OPT_IN = "opt_in_trends"
OPT_OUT = "opt_out_trends"
STOP = "stop"
FALLBACK = "nlu_fallback"


@dataclass(frozen=True)
class Guarded:
    """The intent the words ask for, and the rule that decided (for logs and tests)."""

    intent: str
    rule: str


# --- Sentences and clauses ------------------------------------------------------------------

_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")
_CLAUSE_BREAK = re.compile(r"[,;:]|\s-\s|…")
_QUESTION_OPENERS = frozenset(
    {"wat", "hoe", "wie", "waar", "waarom", "wanneer", "welke", "welk", "zien", "ziet",
     "kunnen", "kan", "kun", "kunt", "mag", "wordt", "worden", "tel", "weet", "is", "heb",
     "hebben"}
)  # fmt: skip
#: A question that is a polite request ("mag ik weer meetellen?"), not a request for facts.
_POLITE_REQUEST = re.compile(
    r"^\W*(?:(?:en|maar|oké|ok|dan)\W+)?(?:mag|kan|kun|kunt|wil|zou|zoudt)\s+"
    r"(?:ik|je|jij|u|jullie)\b(?!\s+(?:zien|vertellen|uitleggen|zeggen))",
    re.IGNORECASE,
)


def sentences(text: str) -> list[str]:
    """The message split after ``.``, ``!``, ``?`` and ``…``; empty parts dropped."""
    return [part.strip() for part in _SENTENCE_END.split(text.strip()) if part.strip()]


#: "Ik vroeg wat je opslaat.", "Simpele vraag: ..." ask without a question mark.
_INDIRECT_QUESTION = re.compile(
    r"^\W*(?:(?:nee|maar|en)\W+)?(?:ik\s+(?:vroeg|vraag|wil\s+(?:graag\s+)?weten)|"
    r"mijn\s+vraag\s+is|simpele\s+vraag|vraagje)\b",
    re.IGNORECASE,
)
_WH_WORDS = frozenset({"wat", "hoe", "wie", "waar", "waarom", "wanneer", "welke", "welk"})


def _first_word(sentence: str) -> str:
    found = re.findall(r"[^\W\d_]+", sentence.lower())
    return found[0] if found else ""


def is_question_sentence(sentence: str) -> bool:
    """Ends in a question mark, opens with a question word or inverted verb, or asks
    indirectly ("Ik vroeg wat je opslaat")."""
    return (
        sentence.rstrip().endswith("?")
        or _first_word(sentence) in _QUESTION_OPENERS
        or _INDIRECT_QUESTION.search(sentence) is not None
    )


def _asks_for_facts(sentence: str) -> bool:
    """A question for facts, not a polite request: "?" or a wh-word, and no "mag ik ..."."""
    if _POLITE_REQUEST.search(sentence):
        return False
    return sentence.rstrip().endswith("?") or _first_word(sentence) in _WH_WORDS


def is_question(text: str) -> bool:
    """Any sentence of the message is a question."""
    return any(is_question_sentence(sentence) for sentence in sentences(text))


def _clauses(sentence: str) -> list[str]:
    return [part.strip() for part in _CLAUSE_BREAK.split(sentence) if part.strip()]


#: Negating words. "niet" before "gewoon/even/eens/meteen" is rhetorical ("kan ik niet
#: gewoon alles wissen?"), not a negation.
_NEGATION = re.compile(
    r"\b(?:niks|niets|geen|nooit|niet(?!\s+(?:gewoon|even|eens|meteen|gelijk)\b))\b",
    re.IGNORECASE,
)


def _negated(clause: str) -> bool:
    return _NEGATION.search(clause) is not None


# --- 1. An explicit wish about the anonymous counts -----------------------------------------

_COUNT_WORD = re.compile(
    r"\b(?:mee\s*tel\w*|meegeteld|tel(?:t|len|ling|lingen)?|cijfers|statistiek\w*|trends?)\b"
)
_WISH_IN = (
    # "ik wil wel meetellen", "tel me weer mee", "ik doe toch weer mee", "alsnog meetellen"
    re.compile(r"\b(?:weer|wel|alsnog)\s+(?:mee\s*tel\w*|meegeteld|mee\s*do\w*|mee\b)"),
    # "zet het meetellen maar weer aan", "het meetellen weer aanzetten"
    re.compile(r"\bmee\s*tel\w*\s+(?:\w+\s+){0,3}aan(?:zetten|\s+zetten)?\b"),
    re.compile(r"\bzet\s+(?:\w+\s+){0,4}(?:weer\s+)?aan\b"),
    # "zet me weer in de tellingen", "neem me weer mee in de cijfers"
    re.compile(r"\bweer\s+in\s+de\s+(?:anonieme\s+)?(?:tellingen|cijfers|statistiek\w*)"),
)
_WISH_OUT = (
    # "ik wil niet meetellen", "ik wil toch niet meer meegeteld worden", "liever niet meetellen"
    re.compile(
        r"\b(?:wil|doe|liever|graag|hoef)\s+(?:\w+\s+){0,3}niet\s+(?:meer\s+)?"
        r"(?:mee\s*tel\w*|meegeteld|mee\s*do\w*)"
    ),
    # "ik wil niet dat jullie mij meetellen"
    re.compile(r"\bniet\s+dat\s+(?:\w+\s+){0,3}(?:mee\s*tel\w*|meegeteld|tel\w*)"),
    # "niet meetellen aub", "nee, niet meer meetellen"
    re.compile(r"^\W*(?:nee\W+)?niet\s+(?:meer\s+)?mee\s*tel\w*"),
    # "tel me niet mee", "tel mij maar niet meer mee"
    re.compile(r"\btel\s+(?:me|mij)\s+(?:\w+\s+){0,2}niet\s+(?:meer\s+)?mee\b"),
)
#: Opting out in words without a negation: a negated clause ("zet het niet uit") is no wish.
_WISH_OUT_PLAIN = (
    # "zet het meetellen uit", "het meetellen uitzetten", "zet de tellingen maar uit"
    re.compile(r"\bzet\s+(?:\w+\s+){0,4}uit\b"),
    re.compile(r"\b(?:mee\s*tel\w*|tellingen?)\s+(?:\w+\s+){0,2}uit(?:zetten|\s+zetten)?\b"),
    # "ik wil buiten de telling blijven", "laat mij buiten de cijfers"
    re.compile(r"\bbuiten\s+de\s+(?:telling\w*|cijfers|statistiek\w*|trends?)\b"),
)
#: Undoing the opt-out ("ik trek het niet meetellen in") is no wish to opt out.
_UNDO = re.compile(r"\b(?:trek\w*|intrekken|ongedaan|terugdraai\w*|terug\s+draai\w*)\b")


def _wishes(clause: str) -> set[str]:
    lowered = clause.lower()
    found: set[str] = set()
    if _COUNT_WORD.search(lowered) is None:  # "ik ga wel mee", "zet de pc aan"
        return found
    if not _negated(lowered) and any(p.search(lowered) for p in _WISH_IN):
        found.add(OPT_IN)
    plain_out = not _negated(lowered) and any(p.search(lowered) for p in _WISH_OUT_PLAIN)
    if not _UNDO.search(lowered) and (plain_out or any(p.search(lowered) for p in _WISH_OUT)):
        found.add(OPT_OUT)
    return found


def counting_wish(text: str) -> str | None:
    """``opt_in_trends`` / ``opt_out_trends`` when the words clearly ask for that setting.

    Only a statement or a polite request ("mag ik weer meetellen?") is a wish; a question for
    facts ("tel ik nu weer mee?") is not. A message that asks for both is no clear wish.
    """
    wishes: set[str] = set()
    for sentence in sentences(text):
        if _asks_for_facts(sentence):
            continue
        for clause in _clauses(sentence):
            wishes |= _wishes(clause)
    return next(iter(wishes)) if len(wishes) == 1 else None


# --- 2. A question about the counts or what coordinators see --------------------------------

_ABOUT_COUNTS = (
    re.compile(r"\bwat\s+(?:wordt|worden)\s+er\s+(?:\w+\s+){0,3}(?:geteld|meegeteld)\b"),
    re.compile(r"\bwat\s+er\s+(?:\w+\s+){0,2}(?:geteld|meegeteld)\s+wordt\b"),
    re.compile(r"\bwat\s+(?:tel|telt|tellen)\s+(?:jullie|je|jij|koers|ze|jullie)\b"),
    re.compile(
        r"\bwat\s+(?:staat|zit|komt)\s+er\s+(?:\w+\s+){0,2}in\s+(?:die|de|jullie)\s+"
        r"(?:anonieme\s+)?(?:tellingen|telling|cijfers|statistiek\w*)"
    ),  # fmt: skip
    re.compile(r"\bwelke\s+(?:tellingen|cijfers|dingen\s+tel\w*)\b"),
    re.compile(r"\bwat\s+(?:houdt|betekent|is)\s+(?:dat\s+|het\s+)?(?:meetellen|tellen)\b"),
    re.compile(r"^\W*(?:en\s+)?tel\s+ik\b"),
    re.compile(r"\bhoe\s+(?:werkt|zit)\s+(?:het|dat)\s+(?:\w+\s+){0,2}(?:meetellen|tellingen)"),
)
_COORDINATOR = re.compile(r"\bco[öo]rdinator\w*\b")
_SEES_ME = re.compile(
    r"\b(?:zien|ziet|zie|weten|weet|herkennen|herkent|terugvinden|achterhalen|opmaken)\b"
)
#: "kunnen ze mij herkennen in die tellingen?": whether the counts give the employee away.
_RECOGNISED = re.compile(
    r"\b(?:herkennen|herkent|herkend|herkenbaar|herleid\w*|terug\s+te\s+(?:leiden|herleiden)|"
    r"achterhalen|uitvogelen)\b"
)
_ME = re.compile(r"\b(?:mij|me|ik|mijzelf|mezelf)\b")
#: "tel ik nu weer mee?": the answer is the overview of this conversation (ask_my_data).
_COUNTING_ME = re.compile(r"^\W*(?:en\s+)?tel\s+ik\b")


def asks_about_counts(text: str) -> bool:
    """A question about what is counted, or whether coordinators can see it is you."""
    lowered = text.lower()
    if not is_question(text):
        return False
    if any(pattern.search(lowered) for pattern in _ABOUT_COUNTS):
        return True
    return any(
        (_COORDINATOR.search(s.lower()) and _SEES_ME.search(s.lower()))
        or (_RECOGNISED.search(s.lower()) and _ME.search(s.lower()))
        for s in sentences(text)
        if is_question_sentence(s)
    )


# --- 3. A negated destructive or state-changing request -------------------------------------

#: Per intent the words that name what it does; a clause with them and a negation negates it.
_REQUEST_WORDS: dict[str, re.Pattern[str]] = {
    # not "dat wist ik niet" (weten) nor "ik kan niet weg" (leaving)
    ERASE: re.compile(
        r"\b(?:wis|wissen|gewist|wist(?!\s+(?:ik|je|jij|u|we|wij|ze|zij|hij)\b)|verwijder\w*|"
        r"weghalen|weggooien|wegdoen|weg\s+(?:halen|gooien|doen)|alles\s+weg|delete\w*|"
        r"vergeet|vergeten)\b"
    ),
    "restart_scan": re.compile(
        r"\b(?:opnieuw|overnieuw|herstart\w*|over\s+nieuw|opnieuw\s+beginnen)\b"
    ),
    # "niet meetellen" is the opt-out itself: only "niet uitzetten" negates it
    OPT_OUT: re.compile(r"\b(?:uitzetten|uit\s+zetten|uitschakelen|zet\s+(?:\w+\s+){0,4}uit)\b"),
    OPT_IN: re.compile(r"\b(?:aanzetten|aan\s+zetten|weer\s+mee\w*|meetel\w*|mee\s+te\s+doen)\b"),
    "cancel_booking": re.compile(
        r"\b(?:afzeggen|afgezegd|af\s+te\s+zeggen|zeg\s+(?:\w+\s+){0,3}af|annuleer\w*|"
        r"annuleren|geannuleerd)\b"
    ),
    "cancel_signup": re.compile(
        r"\b(?:afmelden|afgemeld|af\s+te\s+melden|uitschrijven|uit\s+te\s+schrijven|"
        r"uitgeschreven|annuleer\w*|annuleren|afzeggen)\b"
    ),
}
#: Asking for a coach is negated only by a refusal: "ik heb nog geen coach gehad, kan ik er
#: een krijgen?" is a request.
_COACH_REFUSAL = re.compile(
    r"\b(?:geen\s+(?:\w+\s+)?coach\w*\s+(?:nodig|hoeven|willen)|(?:wil|hoef)\s+geen\s+"
    r"(?:\w+\s+)?coach\w*|(?:wil|hoef)\s+niet\s+(?:\w+\s+){0,3}doorverbonden|"
    r"niet\s+doorverbonden\s+(?:te\s+)?worden)\b"
)
_COACH_WISH = re.compile(r"\b(?:wil|wel|graag|toch)\s+(?:\w+\s+)?(?:een\s+)?coach\b")
NEGATABLE_INTENTS: frozenset[str] = frozenset(_REQUEST_WORDS) | {"request_coach"}


def negated_request(text: str, intent: str) -> bool:
    """The words of ``intent``'s request occur only negated ("ik wil niks wissen").

    Clause by clause: "ik wil niet langer wachten, wis alles" still asks to erase, because
    its erasing clause is not negated. Unknown intents are never negated.
    """
    if intent == "request_coach":
        lowered = text.lower()
        return bool(_COACH_REFUSAL.search(lowered)) and not _COACH_WISH.search(lowered)
    words = _REQUEST_WORDS.get(intent)
    if words is None:
        return False
    negated = positive = False
    for sentence in sentences(text):
        for clause in _clauses(sentence):
            lowered = clause.lower()
            if not words.search(lowered) or _UNDO.search(lowered):
                continue
            if _negated(lowered):
                negated = True
            else:
                positive = True
    return negated and not positive


# --- 4 and 6. Privacy questions NLU read as something else ----------------------------------

#: Words of a question about what Koers keeps of this conversation or who can read it.
#: Reading words count only with what is read ("wie kan dat lezen", not "een boek om te lezen").
_PRIVACY_WORDS = re.compile(
    r"\b(?:opslaan|opslaat|opgeslagen|bewaar\w*|meelezen|inzien|toegang|privacy|anoniem|"
    r"beheerder\w*)\b|\bwat\s+ik\s+(?:hier\s+)?(?:typ|typt|schrijf)\b|"
    r"\bwie\s+(?:\w+\s+){0,3}(?:lezen|leest|zien|ziet|inzien)\b|"
    r"\bco[öo]rdinator\w*\b|\b(?:slaat|sla)\s+(?:\w+\s+){0,5}op\b"
)
_ERASE_WORD = re.compile(
    r"\b(?:wis\w*|gewist|verwijder\w*|weg\w*|delete\w*|vergeet|vergeten|leeg\w*|"
    r"vernietig\w*|prullenbak)\b"
)
#: Who might read along: the employee's own organisation.
_READER = re.compile(
    r"\b(?:p&o|p\s*&\s*o|hr|collega'?s?|beheerder\w*|iemand|niemand|leidinggevende|manager|"
    r"baas|teamleider|gemeente|werkgever|co[öo]rdinator\w*)\b|\bp&o\b"
)
#: What they would read: this chat, or the systems it runs on.
_READS_CHAT = re.compile(
    r"\b(?:lezen|leest|meelezen|meekijken|inzien|toegang|beheren|beheert)\b|"
    r"\b(?:zien|ziet)\s+(?:wat\s+ik|dat\s+ik|mijn\s+(?:chat|gesprek|gegevens|antwoorden)|"
    r"dit\s+gesprek)\b|\bwat\s+ik\s+(?:hier\s+)?(?:typ|typt|schrijf|zeg)\b"
)
#: "ziet mijn leidinggevende dat ik me heb ingeschreven?": only where NLU read nothing (a FAQ
#: answers "ziet mijn baas dat ik een coach heb geboekt?" better; walkthrough 2026-12-04).
_SEES_THAT_I = re.compile(
    r"\b(?:zien|ziet|weet|weten|hoort|horen|merkt|merken)\b(?:\s+\w+){0,3}\s+dat\s+ik\b"
)
#: Intents a question about who reads the chat is lost to.
_READ_QUESTION_LOST_TO = frozenset(
    {"reorganisation", FALLBACK, "human_handoff", "out_of_scope", "express_worry", "faq"}
)


def asks_privacy(text: str) -> bool:
    """A question about what is kept of this conversation or who can read or see it."""
    return is_question(text) and _PRIVACY_WORDS.search(text.lower()) is not None


def asks_who_reads(text: str) -> bool:
    """A question whether someone of the employee's organisation can read this chat."""
    lowered = text.lower()
    return (
        is_question(text)
        and _READER.search(lowered) is not None
        and _READS_CHAT.search(lowered) is not None
    )


# --- 7. Whether a voucher is needed, read as asking for one ----------------------------------

_VOUCHER_WORD = re.compile(r"\bv[ao]?u?c+h?er\w*\b")
#: "moet ik nu eerst een voucher hebben of niet", "heb ik daar een voucher voor nodig?"
_NEEDS = re.compile(r"\b(?:nodig|moet\s+ik|hoef\s+ik|moet\s+je|hoef\s+je|of\s+niet|verplicht)\b")
_WANTS = re.compile(r"\b(?:ik\s+wil|wil\s+ik|graag|geef\s+me|vraag\s+(?:\w+\s+)?aan|aanvragen)\b")


def asks_whether_voucher_needed(text: str) -> bool:
    """A question whether a voucher is needed, which is no request to issue one.

    "moet ik nu eerst een voucher hebben of niet" issued a voucher in the middle of the
    coach's e-mail question (walkthrough 2026-12-03c): a voucher is one per year.
    """
    lowered = text.lower()
    if not _VOUCHER_WORD.search(lowered):
        return False
    # "kost mij dit nou iets of moet ik eerst die voucher aanvragen" at the confirmation is a
    # question too: it ended the booking and issued a voucher (walkthrough 2026-12-04c)
    must_first = re.search(r"\bmoet\s+ik\s+(?:\w+\s+){0,2}(?:eerst|nog|dan)\b", lowered)
    if _WANTS.search(lowered) and not must_first:
        return False
    asked = is_question(text) or re.search(r"\bof\s+niet\b|\bof\s+moet\b", lowered) is not None
    return asked and (_NEEDS.search(lowered) is not None or must_first is not None)


# --- 8. Workshops asked for, vacancies turned down ----------------------------------------------

_WORKSHOP_WORDS = re.compile(
    r"\b(?:workshops?|tap\s+de\s+toekomst|talentsessies?|themas?|onderwerpen)\b"
)
#: "nee geen vacatures", "niet die vacatures", "geen kansen": the listings turned down.
_NO_LISTINGS = re.compile(
    r"\b(?:geen|niet\s+(?:de|die|deze)?|zonder)\s*(?:vacatures?|kansen|banen|meeloopstages?)\b"
)


def workshops_not_listings(text: str) -> bool:
    """ "nee geen vacatures. de tap de toekomst avonden, welke onderwerpen": the workshops
    (walkthrough 2026-12-03c got the vacancies again)."""
    lowered = text.lower()
    return bool(_WORKSHOP_WORDS.search(lowered) and _NO_LISTINGS.search(lowered))


# --- 9. Requests NLU gave to the wrong flow -----------------------------------------------------

_PREPARE_WORD = re.compile(r"\b(?:voorbereid\w*|voor\s+te\s+bereiden|bereid\s+\w+\s+voor)\b")
_SCAN_WORD = re.compile(r"\b(?:scan\w*|scna|talentscan|test|vragenlijst|vragen)\b")
_BOOKING_WORD = re.compile(r"\b(?:boek\w*|afspraak|coach\w*|gesprek)\b")
_COACH_FLOW_WORD = re.compile(r"\b(?:coach\w*|coatch|boek\w*|afspraak|loopbaanadviseur)\b")
_COURSE_WORD = re.compile(r"\b(?:cursus\w*|opleiding\w*|training\w*|scholing|leren)\b")
_LISTING_WORD = re.compile(
    r"\b(?:kansen|vacature\w*|vacaturs|meeloop\w*|meelopen|banen|detachering|uitwisseling|"
    r"traineeship\w*|stage\w*|snuffelstage)\b"
)
#: "weet je nog hoe ik heet?", "hoe oud ben ik?", "onthoud je mijn functie?": what Koers
#: remembers of this conversation (after erasure: nothing).
_REMEMBER = re.compile(
    r"\b(?:onthoud\w*|weet\s+(?:je|u|jij)\s+(?:nog\s+|nu\s+|eigenlijk\s+)?(?:hoe|wat|wie|waar|dat\s+ik|"
    r"mijn|iets)|ken\s+(?:je|u)\s+(?:mij|me|mijn)|hoe\s+oud\s+(?:ben\s+ik|ik\s+ben)|"
    r"wat\s+(?:voor\s+werk\s+)?(?:doe\s+ik|ik\s+doe)|hoe\s+(?:heet\s+ik|ik\s+heet)|wie\s+(?:ben\s+ik|ik\s+ben)|"
    r"wat\s+weet\s+(?:je|u)\s+(?:nog\s+|nu\s+)?(?:van|over)\s+(?:mij|me)|"
    r"(?:weet|ken)\s+(?:je|u|jij)\s+(?:dat|die|het)\s+(?:\w+\s+)?(?:nog|niet\s+meer|nog\s+steeds))\b"
)
#: "zijn de oude tellingen ook gewist?": a question about an erasure, not a request for one.
_ERASED_QUESTION = re.compile(
    r"\b(?:is|zijn|wordt|worden|blijft|blijven|werd|werden)\b.*\b(?:gewist|verwijderd|weg|bewaard)\b"
)
#: Intents a question about what Koers remembers is lost to.
_REMEMBER_LOST_TO = frozenset(
    {FALLBACK, "out_of_scope", "health_concern", "express_worry", "mention_barrier", "faq",
     "human_handoff", ASK_PRIVACY}
)  # fmt: skip


_DIGITAL_WORRY = re.compile(
    r"\b(?:digitaal|digitale|digitalisering|gedigitaliseerd|automatiser\w*|robots?|computers?|"
    r"ai|kunstmatige\s+intelligentie)\b"
)
_SHIFT_REQUEST = re.compile(
    r"\b(?:kan|kun|mag|kunnen)\s+(?:je\s+)?(?:het|dat|die|hij|ze|de\s+afspraak|we|ik)\s+(?:\w+\s+){0,4}"
    r"(?:later|eerder|verzet\w*|verplaats\w*|andere\s+(?:dag|tijd|datum))\b"
)
_SHIFT_AMOUNT = re.compile(
    r"\b(?:(?:een|1|twee|2|drie|3)\s+(?:dag|dagen|week|weekje|weken|uur|uurtje)|verzet\w*|verplaats\w*|"
    r"andere\s+(?:dag|tijd|datum))\b"
)
_WORKSHOP_OR_SIGNUP = re.compile(r"\b(?:workshop\w*|inschrijving\w*|tap\s+de\s+toekomst)\b")


def _unread_request(lowered: str) -> str | None:
    """What a message NLU read nothing in asks for, by its words (walkthrough 2026-12-04):
    "ik wil wel een gesprek voorbereiden, maar met P&O", "ik zeg het toch af, te druk",
    "iets in limburg, liefst die over jezelf presenteren", "alles word digitaal nu"."""
    from bot.ledger.signup_chat import UNKNOWN, theme_in  # pure; late like turns' imports

    if _PREPARE_WORD.search(lowered):
        return "prepare_conversation"
    shift = _SHIFT_REQUEST.search(lowered) and not _SCAN_WORD.search(lowered)
    if shift and (_SHIFT_AMOUNT.search(lowered) or _BOOKING_WORD.search(lowered)):
        # "kan het een dag later?" right after booking; not "kan ik later terugkomen?"
        return "move_signup" if _WORKSHOP_OR_SIGNUP.search(lowered) else "reschedule_booking"
    cancel = _REQUEST_WORDS["cancel_booking"].search(lowered) and not _negated(lowered)
    if cancel:
        return "cancel_signup" if _WORKSHOP_OR_SIGNUP.search(lowered) else "cancel_booking"
    if _DIGITAL_WORRY.search(lowered) and not _WORKSHOP_OR_SIGNUP.search(lowered):
        return "express_worry"
    theme = theme_in(lowered)
    # "mijn teamleider zei dat ik naar mijn ontwikkeling moest kijken" names no workshop
    # (walkthrough 2026-12-04c got the list of "Tips voor een goed gesprek")
    named = theme != "gesprek" or _WORKSHOP_OR_SIGNUP.search(lowered)
    if theme not in (None, UNKNOWN) and named and not _BOOKING_WORD.search(lowered):
        return "ask_workshops"
    return None


def redirected_request(text: str, intent: str) -> str | None:
    """The flow the words ask for when NLU picked another one: "kan ik opnieuw boeken?" is
    no scan restart (it wiped the scan, walkthrough 2026-12-04), "kansen in utrecht" no coach."""
    lowered = text.lower()
    if intent == FALLBACK:
        return _unread_request(lowered)
    if (
        intent == "restart_scan"
        and not _SCAN_WORD.search(lowered)
        and _BOOKING_WORD.search(lowered)
    ):
        return "request_coach"
    if (
        intent in ("start_scan", "restart_scan")
        and not _SCAN_WORD.search(lowered)
        and _COURSE_WORD.search(lowered)
        and (is_question(text) or re.search(r"\b(?:welke|wat\s+voor|hoe)\b", lowered))
    ):  # "ja dat weet ik. maar welke cursus kan ik doen" started the scan (2026-12-04)
        return "find_opportunities"
    if (
        intent == "request_coach"
        and _LISTING_WORD.search(lowered)
        and not _COACH_FLOW_WORD.search(lowered)
    ):
        return "find_opportunities"
    if (
        intent == "request_coach"
        and _WORKSHOP_OR_SIGNUP.search(lowered)
        and not _COACH_FLOW_WORD.search(lowered)
    ):  # "wordt de workshop ook in zeeland gegeven?"
        return "ask_workshops"
    if (
        intent == "ask_workshops"
        and _LISTING_WORD.search(lowered)
        and not _WORKSHOP_OR_SIGNUP.search(lowered)
    ):  # "zijn er kansen in noord-holland? meelopen of een traineeship" (2026-12-04b)
        return "find_opportunities"
    return None


def asks_what_is_remembered(text: str) -> bool:
    return is_question(text) and _REMEMBER.search(text.lower()) is not None


# --- The guard --------------------------------------------------------------------------------

#: Intents an explicit counting wish may replace: the other setting, privacy and harmless reads.
_WISH_REPLACES = frozenset(
    {OPT_IN, OPT_OUT, ASK_PRIVACY, ASK_MY_DATA, FALLBACK, "out_of_scope", "human_handoff",
     DENY, "affirm", STOP, "goodbye", "faq"}
)  # fmt: skip
#: Intents that already answer a counting question (never replaced by rule 2).
_ANSWERS_COUNTS = frozenset({ASK_PRIVACY, ASK_MY_DATA, "ask_remember_me"})


#: Tiredness, tears, sleeplessness, "ik hou het niet vol": care before anything else, whatever
#: NLU read (walkthrough 2026-12-04, Els: a message about crying at work got workshops).
_DISTRESS = re.compile(
    r"\b(?:burn[\s-]?out|overspannen|overwerkt|uitgeput|opgebrand|doodmoe|depressie\w*|depressief|"
    r"paniekaanval\w*|ziekgemeld|slaap\s+(?:\w+\s+)?slecht|kan\s+niet\s+(?:meer\s+)?slapen|"
    r"(?:zitten|zat|zit|ga|moest|moet)\s+(?:te\s+)?huilen|ik\s+huil|"
    r"ik\s+ben\s+(?:zo\s+|heel\s+|gewoon\s+|erg\s+|echt\s+|ontzettend\s+)*moe\b|"
    r"(?:nog\s+)?(?:vol\s*houd|volhoud)\w*|kan\s+(?:het|dit)\s+(?:allemaal\s+)?niet\s+meer|"
    r"gaat\s+(?:gewoon\s+|echt\s+)?niet\s+(?:zo\s+)?goed\s+met\s+me|"
    r"bedrijfsarts|arbodienst|arbo-?arts|hoofdpijn|koppijn|niet\s+meer\s+(?:uitschakelen|loslaten|ontspannen)|"
    r"kan\s+(?:\w+\s+){0,2}niet\s+(?:meer\s+)?(?:uitschakelen|loslaten)|schaam\s+me|uitgevallen|"
    r"erdoorheen|uitgeblust|op\s+is\s+op|ik\s+ben\s+(?:helemaal\s+)?op\b|"
    r"(?:het\s+is|wordt)\s+(?:me\s+)?(?:gewoon\s+|echt\s+|allemaal\s+)?(?:te\s+)?veel\b)"
)
#: Intents that must give way to care when the words say distress. Not a clear request:
#: "ik wil een gesprek over mijn werkdruk voorbereiden, het is me te veel" prepares it.
_CARE_REPLACES = frozenset(
    {FALLBACK, "out_of_scope", "ask_workshops", "mention_barrier", "express_worry", "faq",
     "find_opportunities", "ask_capabilities", "start_scan", "affirm", DENY, "greet",
     "inform", "human_handoff"}
)  # fmt: skip


#: "waar sta ik nu voor ingeschreven?", "voor welke workshop ben ik ingeschreven": the own
#: sign-ups (walkthrough 2026-12-04b: the fallback, or a list of new workshops).
_OWN_SIGNUPS = re.compile(
    r"\b(?:waar|welke|wat|voor\s+welke)\b.*\b(?:sta|ben)\s+ik\b.*\bingeschreven\b|"
    r"\b(?:waar|welke|wat)\b.*\b(?:ingeschreven|inschrijving\w*)\b.*\b(?:ik|mijn)\b|"
    r"\bmijn\s+inschrijving\w*\b"
)
_SIGNUP_CHANGE = re.compile(
    r"\b(?:afzeg\w*|zeg\w*\s+af|uitschrijv\w*|verzet\w*|verplaats\w*|annuler\w*)\b"
)


def asks_own_signups(text: str) -> bool:
    lowered = text.lower()
    return bool(_OWN_SIGNUPS.search(lowered)) and not _SIGNUP_CHANGE.search(lowered)


#: Intents a plain "zeg maar af" was lost to.
_CANCEL_LOST_TO = frozenset(
    {FALLBACK, "out_of_scope", ASK_MY_DATA, ASK_PRIVACY, STOP, "goodbye", DENY, "affirm", "faq"}
)
_NOT_DISTRESS = re.compile(
    r"\b(?:geen|niet)\s+(?:\w+\s+)?(?:burn|overspannen|moe\b|depress|uitgeput)"
)


def shows_distress(text: str) -> bool:
    lowered = text.lower()
    return _DISTRESS.search(lowered) is not None and not _NOT_DISTRESS.search(lowered)


def guard_intent(text: str, intent: str | None) -> Guarded | None:
    """The intent the words of ``text`` ask for when NLU's ``intent`` must not stand.

    None when NLU's reading stands (including every button payload).
    """
    if not text or text.lstrip().startswith("/"):
        return None
    name = intent or FALLBACK
    wish = counting_wish(text)
    if wish is not None:
        if name != wish and name in _WISH_REPLACES:
            return Guarded(wish, "counting_wish")
        return None
    if name not in ("cancel_signup", "move_signup") and asks_own_signups(text):
        return Guarded("cancel_signup", "own_signups_question")  # shown, nothing cancelled
    if name in _CARE_REPLACES and shows_distress(text):
        return Guarded("health_concern", "distress_in_words")
    if name != "faq" and name not in NEGATABLE_INTENTS and explained_term(text):
        return Guarded("faq", "meaning_of_a_word")  # "wat betekent boventallig?" (2026-12-04b)
    if asks_about_counts(text) and name not in _ANSWERS_COUNTS:
        target = ASK_MY_DATA if _COUNTING_ME.search(text.lower()) else ASK_PRIVACY
        return Guarded(target, "counting_question")
    negated = name if name in NEGATABLE_INTENTS else None
    if name == FALLBACK:  # "Nee, ik wil niks wissen. Ik vroeg …" left NLU unsure of anything
        negated = next((i for i in sorted(NEGATABLE_INTENTS) if negated_request(text, i)), None)
    if negated is not None and negated_request(text, negated):
        if asks_privacy(text) or asks_who_reads(text):
            return Guarded(ASK_PRIVACY, "negated_request_with_question")
        return Guarded(DENY, "negated_request")
    if name == DENY and (asks_privacy(text) or asks_who_reads(text)):
        return Guarded(ASK_PRIVACY, "no_with_a_privacy_question")
    if name == ERASE and not _ERASE_WORD.search(text.lower()) and asks_privacy(text):
        return Guarded(ASK_PRIVACY, "erase_guess_for_a_question")
    if (
        is_question(text)
        and _ERASED_QUESTION.search(text.lower())
        and (name in (ERASE, FALLBACK, "out_of_scope") or erasure_meant(text, name))
    ):  # "zijn mijn oude tellingen ook gewist?": asked about, not asked for
        return Guarded(ASK_PRIVACY, "question_about_erasure")
    if erasure_meant(text, name):
        return Guarded(ERASE, "erasure_in_words")
    if name in _READ_QUESTION_LOST_TO and asks_who_reads(text):
        return Guarded(ASK_PRIVACY, "who_reads_question")
    lowered = text.lower()
    unread = name in (FALLBACK, "out_of_scope") and is_question(text)
    if unread and _READER.search(lowered) and _SEES_THAT_I.search(lowered):
        return Guarded(ASK_PRIVACY, "who_sees_what_i_do")
    redirected = redirected_request(text, name)
    if redirected is not None:
        return Guarded(redirected, "another_flow_in_words")
    if name in _REMEMBER_LOST_TO and asks_what_is_remembered(text):
        return Guarded("ask_remember_me", "what_is_remembered")
    if name in (FALLBACK, "out_of_scope") and asks_privacy(text):
        return Guarded(ASK_PRIVACY, "privacy_question_unread")
    if name in ("find_opportunities", DENY) and workshops_not_listings(text):
        return Guarded("ask_workshops", "workshops_not_listings")
    if (
        name in _CANCEL_LOST_TO
        and _REQUEST_WORDS["cancel_booking"].search(lowered)
        and not negated_request(text, "cancel_booking")
        and "?" not in text
    ):  # "weet je wat zeg maar af, ik moet er nog over nadenken" (2026-12-04c: my data)
        meant = "cancel_signup" if _WORKSHOP_OR_SIGNUP.search(lowered) else "cancel_booking"
        return Guarded(meant, "cancel_in_words")
    if name == "request_voucher" and asks_whether_voucher_needed(text):
        return Guarded("ask_coach_facts", "voucher_needed_question")
    return None


# --- Inside a form ------------------------------------------------------------------------------

#: "stop", "STOP", "stop." or "Nee laat maar, ..." as the first words: the way out.
_STOP_FIRST = re.compile(
    r"^\W*(?:(?:nee|ok|oké|oke|nou|sorry)\W+)*(?:stop(?:pen)?|laat\s+maar)\s*(?:$|[.!,;:…]|\.\.\.)",
    re.IGNORECASE,
)
#: Words before an erase object that make it the employee's own ("mijn gegevens", "dit gesprek").
_OWN_BEFORE = frozenset({"mijn", "m'n", "mn", "dit", "het", "hele", "al", "de", "jouw", "me"})
_WORD = re.compile(r"[^\W\d_']+(?:'[^\W\d_]+)?")


def stops_at_start(text: str) -> bool:
    """The message opens with "stop" or "laat maar" as a command, not "stop met roken"."""
    return _STOP_FIRST.match(text) is not None


def _erases_own(text: str) -> bool:
    """An erase request about the employee's own data ("wis mijn gegevns", "verwijder alles").

    Stricter than :func:`asks_erasure`: inside a form a free-text answer may be about data at
    work ("ik wil leren data te verwijderen uit oude systemen").
    """
    if not asks_erasure(text):
        return False
    words = [w.lower() for w in _WORD.findall(text)]
    for index, word in enumerate(words):
        if word == "alles":
            return True
        is_object = word.startswith(("gegev", "gesprek", "chat", "geschiedenis", "antwoorden"))
        if is_object and index > 0 and words[index - 1] in _OWN_BEFORE:
            return True
    return False


def form_interruption(text: str) -> str | None:
    """The command a message inside a form gives in so many words, or None.

    An erase request about the employee's own data comes first ("stop. wis mijn gegevns dan
    maar": the form pauses and Koers asks to confirm the erasure), then "stop" or "laat maar"
    opening a longer message (the form pauses). Button payloads are judged by the form's own
    rules.
    """
    stripped = text.strip()
    if not stripped or stripped.startswith("/"):
        return None
    if _erases_own(stripped):
        return ERASE
    # a lone "stop" or "laat maar" is NLU's (trained, and judged by the form's threshold); the
    # words decide when more follows: "stop. ik wil ...", "Nee laat maar, ik wil niet ..."
    opening = _STOP_FIRST.match(stripped)
    if opening is not None and re.search(r"[^\W\d_]", stripped[opening.end() :]):
        return STOP
    return None
