"""Word guards: settings and erasing change only on a clear request (walkthrough 2026-12-03).

The quoted messages are those of the walkthrough (a privacy-minded P&O assistant) with the
intent the model gave them; each rule also has counter-examples that must stay as NLU read them.
"""

from __future__ import annotations

import pytest
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.conversation.guards import (
    asks_about_counts,
    asks_who_reads,
    counting_wish,
    form_interruption,
    guard_intent,
    is_question,
    negated_request,
)
from bot.conversation.turns import TurnKind, classify_turn
from bot.rasa_ext.nlu import WORD_GUARD_KEY, InputGuard

# --- The walkthrough's messages, with NLU's intent and what the guard must make of them ------

WALKTHROUGH = [
    # [1] an information question got the erase confirmation
    (
        "Goedemiddag. Voordat ik iets ga doen: wat slaat Koers eigenlijk op van wat ik typ, "
        "en wie kan dat lezen?",
        "request_erasure",
        "ask_privacy",
    ),
    # [2] at the confirmation: a no with the question again
    (
        "Nee, ik wil niks wissen. Ik vroeg wat je opslaat en wie dat kan lezen.",
        "request_erasure",
        "ask_privacy",
    ),
    # [9] a coordinator question read as a hand-off
    (
        "Oké, duidelijk. En die coördinatoren, zien die dat ík Koers gebruik? "
        "Ik ben hier de enige P&O-assistent van 55.",
        "human_handoff",
        "ask_privacy",
    ),
    # [10] switched counting off
    (
        "Ik wil niet doorverbonden worden. Zien coördinatoren dat ik het ben?",
        "opt_out_trends",
        "ask_privacy",
    ),
    # [11] switched it off again while asking to switch it on
    (
        "Dat vroeg ik niet. Ik vroeg of coördinatoren kunnen zien dat ik het ben. "
        "Zet het meetellen maar weer aan, ik wil eerst weten hoe het zit.",
        "opt_out_trends",
        "opt_in_trends",
    ),
    # [6] and [7] "can P&O read it?" read as a reorganisation and as the fallback
    (
        "Dat is over mijn leidinggevende. Maar P&O dan? "
        "Mijn directe collega's beheren dit soort systemen vaak.",
        "reorganisation",
        "ask_privacy",
    ),
    (
        "Er is geen reorganisatie. Simpele vraag: kan iemand van P&O wat ik hier typ lezen, "
        "ja of nee?",
        "nlu_fallback",
        "ask_privacy",
    ),
    # [20], [21], [22] "what is counted?" got the fallback or switched counting on
    (
        "Wat wordt er eigenlijk precies geteld? Dan beslis ik of ik toch weer meedoe.",
        "nlu_fallback",
        "ask_privacy",
    ),
    ("wat tellen jullie in die anonieme tellingen?", "opt_in_trends", "ask_privacy"),
    (
        "Hm, ik vroeg wat er geteld wordt, niet om weer mee te doen. Maar goed, laat maar aan "
        "staan. Wat wordt er geteld?",
        "nlu_fallback",
        "ask_privacy",
    ),
    # [24] an erase request that NLU read as stop
    ("stop. wis mijn gegevns dan maar", "stop", "request_erasure"),
    # walkthrough 2, [24]: restarted the scan
    (
        "Nee laat maar, ik heb die vragen toch al allemaal ingevuld? "
        "Ik wil niet opnieuw beginnen.",
        "restart_scan",
        "deny",
    ),
]


@pytest.mark.parametrize(("text", "nlu", "meant"), WALKTHROUGH)
def test_the_walkthrough_messages_get_what_they_asked(text: str, nlu: str, meant: str) -> None:
    guarded = guard_intent(text, nlu)
    assert guarded is not None and guarded.intent == meant


@pytest.mark.parametrize(
    ("text", "nlu"),
    [
        # clear requests stay what NLU read
        ("ik wil niet meetellen", "opt_out_trends"),
        ("tel me niet mee", "opt_out_trends"),
        ("ik wil wel meetellen", "opt_in_trends"),
        ("ik trek het niet meetellen in", "opt_in_trends"),
        ("kan ik me afmelden voor de trendrapportage", "opt_out_trends"),
        ("wis mijn gegevens", "request_erasure"),
        ("ja, alles weg", "request_erasure"),  # the confirmation's rule reads it as yes
        ("kunnen mijn gegevens verwijderd worden", "request_erasure"),
        ("ik wil de scan opnieuw doen", "restart_scan"),
        ("zeg mijn afspraak af", "cancel_booking"),
        ("ik wil een coach", "request_coach"),
        # other questions stay with their intent
        ("kan mijn leidinggevende zien wat ik hier typ?", "ask_privacy"),
        ("tel ik nog mee in de cijfers", "ask_my_data"),
        ("Moet ik bij een reorganisatie naar P&O?", "reorganisation"),
        ("kan P&O zien of ik boventallig word?", "reorganisation"),
        ("ik wil met een mens praten", "human_handoff"),
        # button payloads are never touched
        ("/opt_out_trends", "opt_out_trends"),
        ("/request_erasure", "request_erasure"),
    ],
)
def test_clear_requests_and_other_questions_stand(text: str, nlu: str) -> None:
    assert guard_intent(text, nlu) is None


# --- Rule 1: an explicit wish about the counts --------------------------------------------------


@pytest.mark.parametrize(
    ("text", "wish"),
    [
        ("Zet het meetellen maar weer aan, ik wil eerst weten hoe het zit.", "opt_in_trends"),
        ("ik wil wel meetellen", "opt_in_trends"),
        ("tel me toch maar weer mee", "opt_in_trends"),
        ("mag ik weer meetellen?", "opt_in_trends"),
        ("het meetellen weer aanzetten graag", "opt_in_trends"),
        ("ik wil niet meetellen", "opt_out_trends"),
        ("niet meetellen aub", "opt_out_trends"),
        ("tel mij maar niet meer mee", "opt_out_trends"),
        ("zet het meetellen maar uit", "opt_out_trends"),
        ("ik wil buiten de telling blijven", "opt_out_trends"),
        ("ik wil niet dat jullie mij meetellen", "opt_out_trends"),
    ],
)
def test_an_explicit_wish_is_that_setting(text: str, wish: str) -> None:
    assert counting_wish(text) == wish


@pytest.mark.parametrize(
    "text",
    [
        "tel ik nu weer mee?",  # a question for facts
        "Dan beslis ik of ik toch weer meedoe.",  # no count word: could be anything
        "ik ga wel mee naar de workshop",
        "zet de computer maar aan",
        "niet om weer mee te tellen",  # negated
        "ik trek het niet meetellen in",  # undoing the opt-out is no opt-out
        "ik wil niet meetellen, of toch wel weer meetellen",  # both: no clear wish
    ],
)
def test_no_wish_without_clear_words(text: str) -> None:
    assert counting_wish(text) is None


def test_a_wish_replaces_only_harmless_or_opposite_readings() -> None:
    assert guard_intent("ik wil wel meetellen", "opt_out_trends").intent == "opt_in_trends"
    assert guard_intent("zet het meetellen maar uit", "ask_privacy").intent == "opt_out_trends"
    # a wish inside another request leaves that request alone
    assert guard_intent("ik wil wel meetellen en een coach", "request_coach") is None


# --- Rule 2: a question about the counts or the coordinators ------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Wat wordt er eigenlijk precies geteld?",
        "wat tellen jullie in die anonieme tellingen?",
        "wat staat er in die tellingen?",
        "Zien coördinatoren dat ik het ben?",
        "kunnen de coordinatoren mij herkennen?",
        "wat houdt meetellen in?",
        "Als ze tellen op functie en leeftijd, kunnen ze mij dan niet gewoon herkennen?",
        "ben ik herkenbaar in die cijfers?",
    ],
)
def test_questions_about_the_counts(text: str) -> None:
    assert asks_about_counts(text)
    assert guard_intent(text, "opt_out_trends").intent == "ask_privacy"
    assert guard_intent(text, "opt_in_trends").intent == "ask_privacy"


@pytest.mark.parametrize(
    "text",
    [
        "ik wil niet meetellen",
        "de coördinatoren zien alleen groepen",
        "hoeveel vragen telt de scan",
        "ik herken mezelf wel in die uitslag",
        "hoe herken je een goede workshop?",
    ],
)
def test_no_counting_question(text: str) -> None:
    assert not asks_about_counts(text)


def test_tel_ik_nog_mee_is_the_overview_of_this_conversation() -> None:
    assert guard_intent("tel ik nu weer mee?", "opt_in_trends").intent == "ask_my_data"


def test_a_counting_question_already_read_as_privacy_stands() -> None:
    assert guard_intent("wat wordt er geteld?", "ask_privacy") is None


# --- Rule 3: negated requests ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("Nee, ik wil niks wissen.", "request_erasure"),
        ("wis mijn gegevens niet", "request_erasure"),
        ("Ik wil niet opnieuw beginnen.", "restart_scan"),
        ("ik hoef de scan niet overnieuw te doen", "restart_scan"),
        ("nee, ik wil mijn afspraak niet afzeggen", "cancel_booking"),
        ("ik wil me niet afmelden voor de workshop", "cancel_signup"),
        ("ik heb geen coach nodig", "request_coach"),
        ("zet het meetellen niet uit", "opt_out_trends"),
    ],
)
def test_a_negated_request_is_a_no(text: str, intent: str) -> None:
    assert negated_request(text, intent)
    assert guard_intent(text, intent).intent == "deny"


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("ik wil niet langer wachten, wis alles", "request_erasure"),
        ("nee wis maar alles", "request_erasure"),
        ("kan ik niet gewoon alles wissen?", "request_erasure"),  # rhetorical "niet gewoon"
        ("ik wil niet meetellen", "opt_out_trends"),  # the opt-out itself
        ("ik trek het niet meetellen in", "opt_in_trends"),
        ("ik wil opnieuw beginnen", "restart_scan"),
        ("ik wil niet stoppen, maar wel opnieuw beginnen", "restart_scan"),
        ("ik wil niks wissen", "ask_privacy"),  # not a negatable intent
        ("ah dank je, dat wist ik niet", "request_erasure"),  # weten, not wissen
        ("ik kan niet weg voor een training", "request_erasure"),
        ("ik heb nog geen coach gehad, kan ik er een krijgen?", "request_coach"),
    ],
)
def test_a_request_that_is_not_negated_stands(text: str, intent: str) -> None:
    assert not negated_request(text, intent)


def test_a_negated_request_with_a_privacy_question_is_that_question() -> None:
    text = "Nee, ik wil niks wissen. Ik vroeg wat je opslaat en wie dat kan lezen."
    guarded = guard_intent(text, "request_erasure")
    assert guarded.intent == "ask_privacy"
    assert guarded.rule == "negated_request_with_question"
    assert is_question(text)  # "Ik vroeg wat ..." asks without a question mark


# --- Rules 4-6: privacy questions read as erasing, a reorganisation or the fallback ----------


def test_an_erase_guess_keeps_a_real_erase_word() -> None:
    assert guard_intent("kunnen mijn gegevens weg?", "request_erasure") is None
    assert guard_intent("wat bewaar je?", "request_erasure").intent == "ask_privacy"


@pytest.mark.parametrize(
    "text",
    [
        "kan iemand van P&O wat ik hier typ lezen?",
        "Maar P&O dan? Mijn collega's beheren dit soort systemen.",
        "kan hr meelezen?",
        "kunnen mijn collega's zien wat ik typ?",
    ],
)
def test_who_reads_the_chat(text: str) -> None:
    assert asks_who_reads(text)


@pytest.mark.parametrize(
    "text",
    ["kan P&O zien of ik boventallig word?", "wat doet P&O bij een reorganisatie?", "P&O lezen"],
)
def test_not_about_reading_the_chat(text: str) -> None:
    assert not asks_who_reads(text)


def test_the_old_erasure_rule_still_applies() -> None:
    assert guard_intent("ok fijn. wis mijn gegevns dan maar", "goodbye").intent == (
        "request_erasure"
    )
    assert guard_intent("doei", "goodbye") is None


# --- Inside a form: an erase request and "stop ..." interrupt, whatever the shape -------------


@pytest.mark.parametrize(
    ("text", "command"),
    [
        ("stop. wis mijn gegevns dan maar", "request_erasure"),
        ("wis mijn gegevns dan maar", "request_erasure"),
        ("verwijder alles", "request_erasure"),
        ("stop. ik wil even iets anders", "stop"),
        ("Nee laat maar… Ik wil niet opnieuw beginnen.", "stop"),
        ("Nee laat maar, ik heb die vragen toch al allemaal ingevuld?", "stop"),
        ("STOP! dit gaat te snel", "stop"),
    ],
)
def test_commands_in_words_inside_a_form(text: str, command: str) -> None:
    assert form_interruption(text) == command


@pytest.mark.parametrize(
    "text",
    [
        "stop",  # alone: NLU's, at the form's threshold
        "laat maar",
        "stoppen met roken",
        "Ik wil leren data te verwijderen uit oude systemen",
        "wis mijn gegevens niet",
        "laat maar zitten, ik weet het niet",
        "/stop",
        "",
    ],
)
def test_no_command_in_words(text: str) -> None:
    assert form_interruption(text) is None


@pytest.mark.parametrize(
    "form", ["prepare_form", "scan_form", "practice_form", "coach_form", "evc_form"]
)
def test_an_erase_request_interrupts_every_form(form: str) -> None:
    """Question 3 and 4 of the preparation stored "wis mijn gegevns dan maar" as answers."""
    for text in ("stop. wis mijn gegevns dan maar", "wis mijn gegevns dan maar"):
        turn = classify_turn(
            form=form, intent="request_erasure", confidence=0.45, text=text, answer_understood=None
        )
        assert turn.kind is TurnKind.NEW_REQUEST and turn.intent == "request_erasure"


def test_stop_opening_a_longer_message_pauses_the_preparation() -> None:
    turn = classify_turn(
        form="prepare_form",
        intent="deny",
        confidence=1.0,
        text=(
            "Nee laat maar, ik heb die vragen toch al allemaal ingevuld? "
            "Ik wil niet opnieuw beginnen."
        ),
    )
    assert turn.kind is TurnKind.ESCAPE and turn.by_words


def test_a_preparation_answer_about_data_stays_an_answer() -> None:
    turn = classify_turn(
        form="prepare_form",
        intent="request_erasure",
        confidence=0.5,
        text="Ik wil leren data te verwijderen uit oude systemen",
    )
    assert turn.kind is TurnKind.ANSWER


# --- The NLU component ----------------------------------------------------------------------------


def _parsed(text: str, intent: str, confidence: float = 0.67) -> Message:
    message = Message(data={TEXT: text})
    message.set(INTENT, {"name": intent, "confidence": confidence})
    InputGuard().process([message])
    return message


def test_the_input_guard_applies_the_word_guards() -> None:
    message = _parsed(
        "Ik wil niet doorverbonden worden. Zien coördinatoren dat ik het ben?", "opt_out_trends"
    )
    assert message.get(INTENT)["name"] == "ask_privacy"
    assert message.get(WORD_GUARD_KEY) == {"nlu": "opt_out_trends", "rule": "counting_question"}
    kept = _parsed("ik wil niet meetellen", "opt_out_trends", 0.95)
    assert kept.get(INTENT) == {"name": "opt_out_trends", "confidence": 0.95}
    assert kept.get(WORD_GUARD_KEY) is None


@pytest.mark.parametrize(
    ("text", "nlu"),
    [
        ("bewaar deze kans", "deny"),
        ("wat is een goed boek om te lezen", "request_erasure"),
        ("mag ik een keer meekijken bij werk en inkomen", "deny"),
        ("wat is de status van mijn voucher", "request_erasure"),  # asked first, costs a no
    ],
)
def test_no_privacy_question_in_other_words(text: str, nlu: str) -> None:
    assert guard_intent(text, nlu) is None


def test_a_plain_no_with_a_privacy_question_is_that_question() -> None:
    text = "Nee, ik wil niks wissen. Ik vroeg wat je opslaat en wie dat kan lezen."
    assert guard_intent(text, "deny").intent == "ask_privacy"
    assert guard_intent("nee", "deny") is None
    assert guard_intent("nee, doe maar niet", "deny") is None
    assert guard_intent("nee, sla maar over", "deny") is None
    assert guard_intent("bewaar je dit niet?", "deny").intent == "ask_privacy"


async def test_the_data_overview_at_the_confirmation_says_nothing_is_erased(
    make_tracker, domain
) -> None:
    from rasa_sdk.executor import CollectingDispatcher

    from actions.privacy import ActionShowMyData

    events = [
        {"event": "action", "name": "utter_confirm_erasure"},
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": "nee, wat bewaar je eigenlijk?"},
    ]
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(text="nee, wat bewaar je eigenlijk?", events=events)
    await ActionShowMyData().run(dispatcher, tracker, domain)
    assert dispatcher.messages[0].get("response") == "utter_erasure_cancelled"
    later = CollectingDispatcher()
    await ActionShowMyData().run(later, make_tracker(text="wat bewaar je?"), domain)
    assert all(m.get("response") != "utter_erasure_cancelled" for m in later.messages)


def test_a_negated_request_nlu_was_unsure_of_is_still_a_no() -> None:
    """At the erase confirmation "Nee, ik wil niks wissen. Ik vroeg wat je opslaat …" came out
    of NLU as the fallback (retrained model of 2026-12-03): the words still decide."""
    text = "Nee, ik wil niks wissen. Ik vroeg wat je opslaat en wie dat kan lezen."
    guarded = guard_intent(text, "nlu_fallback")
    assert guarded is not None and guarded.intent == "ask_privacy"
    plain = guard_intent("nee, ik wil niet opnieuw beginnen", "nlu_fallback")
    assert plain is not None and plain.intent == "deny"
    assert guard_intent("ik snap de vraag niet", "nlu_fallback") is None


@pytest.mark.parametrize(
    "text", ["moet ik nu eerst een voucher hebben of niet", "heb ik daar een voucher voor nodig?"]
)
def test_whether_a_voucher_is_needed_is_no_request_for_one(text: str) -> None:
    """It issued a voucher in the middle of the coach's e-mail question (2026-12-03c)."""
    assert guard_intent(text, "request_voucher").intent == "ask_coach_facts"


@pytest.mark.parametrize(
    "text", ["ik wil een voucher", "mag ik een voucher?", "kan ik een voucher krijgen?"]
)
def test_asking_for_a_voucher_stays_a_request(text: str) -> None:
    assert guard_intent(text, "request_voucher") is None


def test_workshops_asked_after_turning_down_the_vacancies() -> None:
    text = "nee geen vacatures. de tap de toekomst avonden, welke onderwerpen in gelderland"
    assert guard_intent(text, "find_opportunities").intent == "ask_workshops"
    assert guard_intent("zijn er vacatures in gelderland?", "find_opportunities") is None


@pytest.mark.parametrize(
    ("text", "intent", "meant"),
    [
        # walkthrough 2026-12-04: a scan restart wiped the answers; a coach form for listings
        ("hmm eigenlijk wil ik het toch wel. kan ik opnieuw boeken? liefst weer bij bram",
         "restart_scan", "request_coach"),
        ("kansen in utrecht", "request_coach", "find_opportunities"),
        # walkthrough 2026-12-04, Jelle: a shift right after booking got the fallback
        ("ok top. hmm ik zie nu dat ik donderdag toch overleg heb. kan het een dag later?",
         "nlu_fallback", "reschedule_booking"),
        ("kan die workshop ook een week later?", "nlu_fallback", "move_signup"),
        # walkthrough 2026-12-04b, Peter and Sem: a workshop question became a coach booking,
        # a question about traineeships a workshop search
        ("Wordt de workshop over geld ook in Zeeland gegeven, of online?", "request_coach",
         "ask_workshops"),
        ("zijn er kansen in noord-holland? meelopen of een traineeship ofzo", "ask_workshops",
         "find_opportunities"),
        ("Dus als ik vraag hoe oud ik ben, dan weet u dat niet meer?", "express_worry",
         "ask_remember_me"),
        ("waar sta ik allemaal voor ingeschreven nu?", "nlu_fallback", "cancel_signup"),
        ("voor welke workshop ben ik ingeschreven", "ask_workshops", "cancel_signup"),
        # walkthrough 2026-12-04, Gerda: a course question started the scan
        ("ja dat weet ik. maar welke cursus kan ik doen", "start_scan", "find_opportunities"),
        # after erasure: what Koers remembers, not a care answer or the fallback
        ("Hoe oud ben ik en wat voor werk doe ik?", "health_concern", "ask_remember_me"),
        ("Onthoud je mijn leeftijd en functie?", "nlu_fallback", "ask_remember_me"),
        # a question about an erasure is no request for one
        ("zijn mijn oude tellingen ook gewist?", "request_erasure", "ask_privacy"),
        ("zijn mijn oude tellingen ook gewist?", "nlu_fallback", "ask_privacy"),
        ("Staat dat ergens opgeslagen?", "nlu_fallback", "ask_privacy"),
    ],
)  # fmt: skip
def test_requests_and_questions_in_words(text: str, intent: str, meant: str) -> None:
    assert guard_intent(text, intent).intent == meant


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("ik wil de scan opnieuw doen", "restart_scan"),
        ("welke cursus past bij mij? ik wil de scan doen", "start_scan"),
        ("kan ik later terugkomen?", "nlu_fallback"),
        ("kan ik de scan een dag later afmaken?", "nlu_fallback"),
        ("ik wil een coach voor vacatures", "request_coach"),
        ("wis alles", "request_erasure"),
        ("kun je alles wissen?", "request_erasure"),
    ],
)
def test_requests_that_stand(text: str, intent: str) -> None:
    assert guard_intent(text, intent) is None


def test_who_sees_a_sign_up_is_a_privacy_question() -> None:
    text = "ziet mijn leidinggevende dat ik me heb ingeschreven?"
    assert guard_intent(text, "nlu_fallback").intent == "ask_privacy"


def test_preparing_with_p_and_o_is_preparing() -> None:
    text = "ja ik wil wel een gesprek voorbereiden, maar dan met P&O, niet met mijn leidinggevende"
    assert guard_intent(text, "nlu_fallback").intent == "prepare_conversation"


@pytest.mark.parametrize(
    ("text", "meant"),
    [
        ("ik zeg het toch af, te druk nu", "cancel_booking"),
        ("ik wil mijn workshop afzeggen", "cancel_signup"),
        (
            "ik zoek iets in limburg, liefst die over jezelf presenteren, op een avond",
            "ask_workshops",
        ),
        ("ik werk bij DIV, het archief. alles word digitaal nu", "express_worry"),
    ],
)
def test_what_nlu_did_not_read_asks_for_in_words(text: str, meant: str) -> None:
    assert guard_intent(text, "nlu_fallback").intent == meant


@pytest.mark.parametrize("text", ["hoi", "ik heb een gesprek met mijn leidinggevende"])
def test_nothing_is_made_of_other_unread_messages(text: str) -> None:
    assert guard_intent(text, "nlu_fallback") is None


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        # walkthrough 2026-12-04b, Els: a workshop list, a tip and "daar kan ik niet mee helpen"
        ("sorry. het gaat gewoon niet zo goed met me. ik slaap slecht, ik heb vorige week op mijn "
         "werk zitten huilen en ik weet niet eens of ik dit nog volhoud", "ask_workshops"),
        ("ik denk dat ik bijna overspannen ben", "mention_barrier"),
        ("sorry. ik ben gewoon moe", "out_of_scope"),
        ("hoe kom ik bij de bedrijfsarts? moet dat via mijn teamleider?", "ask_workshops"),
    ],
)  # fmt: skip
def test_distress_in_words_gets_care(text: str, intent: str) -> None:
    assert guard_intent(text, intent).intent == "health_concern"


@pytest.mark.parametrize(
    ("text", "intent"),
    [("ik heb geen burn-out hoor, ik wil gewoon groeien", "express_worry"),
     ("welke workshops zijn er?", "ask_workshops"),
     ("ik wil een gesprek over mijn werkdruk voorbereiden, het is me te veel",
      "prepare_conversation")],
)  # fmt: skip
def test_no_care_without_distress(text: str, intent: str) -> None:
    guarded = guard_intent(text, intent)
    assert guarded is None or guarded.intent != "health_concern"
