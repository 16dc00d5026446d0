"""Texts of the conversation preparation (plain Dutch, B1). Checked by tests/test_readability.py."""

from __future__ import annotations

INTRO = (
    "Goed dat je het gesprek met je leidinggevende voorbereidt! Ik stel je zeven korte vragen. "
    "Daarna krijg je een blad om mee te nemen.\n"
    "Dit blijft tussen ons. Je leidinggevende ziet dit gesprek niet. "
    "Typ 'sla over' om een vraag over te slaan, 'terug' voor de vorige vraag of 'stop' om te "
    "pauzeren."
)
RESUME = "Welkom terug. We gaan verder met je voorbereiding."


def intro(party: str) -> str:
    """The intro with the other party as the employee named them (P&O, a coach)."""
    if party == "leidinggevende":
        return INTRO
    return INTRO.replace(
        "het gesprek met je leidinggevende", f"het gesprek met je {party}"
    ).replace("Je leidinggevende ziet dit gesprek niet.", "Niemand van je werk ziet dit gesprek.")


SKIP_BUTTON = {"title": "Sla over", "payload": "sla over"}
STRENGTHS_FROM_SCAN = (
    "Uit je talentscan kwam dit naar voren: {strengths}.\n"
    "Wil je die gebruiken? Typ 'ja', of typ je eigen sterke punten."
)
DEVELOP_FROM_SCAN = (
    "Je scan wees deze richting aan: {direction}.\n"
    "Wil je dat als doel voor jezelf gebruiken? Typ 'ja', of typ wat je wilt leren of proberen."
)
USE_THIS = "Ja, gebruik dit"
KIND_NOT_UNDERSTOOD = (
    "Welk soort gesprek is het? Kies een knop. Of typ bijvoorbeeld 'jaargesprek' of 'sla over'."
)
EMPTY_ANSWER = "Ik kreeg geen antwoord binnen. Typ je antwoord, of typ 'sla over'."
SKIPPED = "Prima, die slaan we over."
NAMES_LEFT_OUT = "Let op: namen en andere persoonlijke gegevens heb ik weggelaten."
WORRY_HEARD = "Dank je dat je dit deelt. Dat is heel normaal."
WORRY_OFF_SHEET = "Je zorg komt niet op je blad. Die is alleen voor jou."
GO_BACK = "Geen probleem. We gaan terug naar de vorige vraag."
FIRST_QUESTION = "Dit is de eerste vraag. Er is nog geen vorige vraag."
GO_BACK_TO = "Geen probleem. We gaan terug naar vraag {number}."
#: "terug, ik wil bij vraag 5 ook budget voor opleiding noemen": added, then on where we were.
ADDED = "Ik heb bij {deel} '{addition}' toegevoegd."
REPLACED = "Ik heb {deel} veranderd in: '{replacement}'."
NOT_YET = "Vraag {number} komt nog. We blijven eerst bij deze vraag."
NO_SUCH_QUESTION = "Er zijn {count} vragen. We blijven bij deze vraag."
PAUSED = (
    "Ik zet je voorbereiding op pauze. Je antwoorden bewaar ik in dit gesprek. "
    "Typ 'gesprek voorbereiden' om verder te gaan."
)
SUMMARY_HEAD = "Dit heb je ingevuld:"
SUMMARY_SKIPPED = "(overgeslagen)"
REVIEW_QUESTION = "Klopt dit? Je kunt nu je blad maken, eerst oefenen, of iets aanpassen."
REVIEW_BUTTONS = [
    {"title": "Maak mijn blad", "payload": "maak mijn voorbereiding"},
    {"title": "Eerst oefenen", "payload": "eerst oefenen"},
    {"title": "Iets aanpassen", "payload": "iets aanpassen"},
]
#: At the check after a sheet was made: starting a new preparation is a choice too.
RESTART_BUTTON = {"title": "Opnieuw beginnen", "payload": "opnieuw beginnen"}
REVIEW_NOT_UNDERSTOOD = "Kies een knop: maak mijn blad, eerst oefenen of iets aanpassen."
WHICH_CHANGE = "Wat wil je aanpassen?"
CHANGE_THIS = "Goed, pas het maar aan."

PRACTICE_INTRO = (
    "We gaan oefenen. Ik speel je {party}. Ik zeg iets wat je kunt verwachten. "
    "Typ wat jij dan zou zeggen. Er is geen goed of fout."
)
PRACTICE_ROLE = "Je {party} zegt: '{line}'\nWat zeg jij?"
PRACTICE_FEEDBACK = "{feedback}\nZo kun je het ook zeggen: '{strong}'"
PRACTICE_EMPTY = "Typ wat je zou zeggen. Of typ 'sla over'."
PRACTICE_DONE = "Goed gedaan! Je antwoorden zet ik op je blad."
#: When the employee chose to keep the worry and practice answers to themselves.
PRACTICE_DONE_PRIVATE = (
    "Goed gedaan! Je eigen antwoorden blijven van jou: die zet ik niet op je blad. "
    "Op je blad staan alleen de reacties om te oefenen en mijn voorbeeldantwoorden."
)

SHEET_READY = (
    "Je voorbereiding is klaar. Er staat geen naam op.\n"
    "[Bekijk en print je blad]({html_url})\n"
    "[Download als pdf]({pdf_url})\n"
    "De link werkt tot {expires_on}. Bewaar het blad dus goed."
)
SHEET_TIPS = (
    "Tip: oefen je eerste zin een keer hardop. Wil je eerst met iemand sparren? "
    "Dan kun je ook met een loopbaancoach praten."
)
SHEET_FAILED = (
    "Het lukte me nu niet om je blad te maken. Je antwoorden zijn niet weg. "
    "Probeer het over een paar minuten nog eens. Typ dan 'gesprek voorbereiden'."
)
AFTER_SHEET_BUTTONS = [
    {"title": "Oefen het gesprek", "payload": "/practice_conversation"},
    {"title": "Praat met een loopbaancoach", "payload": "/request_coach"},
]
LATER = "Dat kan zo meteen. Eerst maken we je voorbereiding af."

REQUEST_NOT_ANSWER = (
    "Dat lees ik als een vraag aan mij, niet als antwoord. Ik sla het dus niet op.\n"
    "Wil je eerst iets anders? Typ 'stop', dan pauzeer ik de voorbereiding. "
    "Of geef hieronder je antwoord."
)
NOISE = "Dat kan ik niet als woorden lezen. Probeer het nog eens in een paar woorden."
STRENGTHS_NOISE = (
    "Dat kan ik niet als woorden lezen. Noem twee of drie dingen waar je goed in bent. "
    "Bijvoorbeeld: plannen, goed luisteren."
)
WHEN_NO_SUCH_DATE = (
    "Die datum bestaat niet. Kijk nog even in je agenda. Typ bijvoorbeeld: 12 maart, "
    "of volgende week dinsdag."
)
WHEN_PAST = "Die datum is al voorbij. Wanneer is het gesprek? Typ bijvoorbeeld: 12 maart."
WHEN_TOO_FAR = (
    "Die datum ligt meer dan een jaar vooruit. Klopt dat? Typ de datum nog eens, "
    "bijvoorbeeld: 12 maart."
)
WHEN_WRONG_WEEKDAY = "{day} is een {weekday}, geen {named}. Welke dag bedoel je?"
WHEN_WRONG_WEEKDAY_OTHER = "Of typ de datum nog eens, bijvoorbeeld: 12 maart."
WHEN_NOT_A_DATE = (
    "Ik snap de datum nog niet. Typ bijvoorbeeld: 12 maart, 3-4, of volgende week dinsdag. "
    "Weet je het nog niet? Typ dan 'sla over'."
)
WHEN_NOTED = "Genoteerd: {day}."
PREFILLED = "Ik heb al genoteerd: {facts}. Dat vraag ik dus niet meer."
PRIVATE_QUESTION = (
    "Je zorg is alleen voor jou. Dat geldt ook voor wat je typt als je straks oefent. "
    "Wil je dat ook op je blad hebben? Zonder staat het er niet op."
)
PRIVATE_YES, PRIVATE_NO = "Ja, zet ze erop", "Nee, alleen voor mij"
PRIVATE_BUTTONS = [
    {"title": PRIVATE_YES, "payload": PRIVATE_YES},
    {"title": PRIVATE_NO, "payload": PRIVATE_NO},
]
PRIVATE_NOT_UNDERSTOOD = "Kies een knop: ja, zet ze erop, of nee, alleen voor mij."

#: "bij vraag 3 wil ik nog iets toevoegen": the answer stays; Koers asks what to add.
ADD_WHAT = "Wat wil je toevoegen aan je antwoord op vraag {number}? Nu staat er: '{current}'"
ADDED_NOW = "Ik heb het erbij gezet. Nu staat er: '{current}'"
ADD_NOTHING = "Goed, dan laat ik je antwoord zoals het was."
#: "dat was mijn antwoord op vraag 3, bij vraag 2 bedoel ik: ...".
MOVED = "Je vorige antwoord heb ik bij vraag {number} gezet."
#: After the sheet was made: "gesprek voorbereiden" again shows the answers, wipes nothing.
SHEET_ALREADY = "Je blad is al klaar. Je antwoorden heb ik nog. {where}"
#: Where the sheet is: its link when Koers can still read it, else where it was given. The
#: stored conversation holds no link (the scrubber takes addresses out, the database keeps only
#: a hash of the token), so a lost link means a new one from the same answers.
SHEET_LINK = "[Bekijk je blad]({html_url})"
SHEET_LINK_ABOVE = (
    "De link staat hierboven in ons gesprek. Kwijt? Kies dan 'Maak mijn blad', dan krijg je "
    "een nieuwe link."
)
RESTARTED = "Goed, we beginnen opnieuw met een nieuwe voorbereiding."
#: "nee, laat maar" once the sheet is made: nothing starts again, the sheet stays.
KEEP_SHEET = (
    "Goed, ik begin niet opnieuw. Je antwoorden blijven staan.\n"
    "Je blad van net staat nog klaar. {where}"
)
#: "Kun je niet zeggen: 'daar komen we later op terug'?": that line is practised now.
PRACTICE_THIS_ONE = "Goed idee. Die oefenen we nu."
PRACTICE_AGAIN = "We oefenen nu met andere reacties dan de vorige keer."
PRACTICE_UNKNOWN_LINE = (
    "Die reactie heb ik nog niet. Oefen eerst met deze. Typ wat jij zou zeggen, of typ 'sla over'."
)


def party_heard(party: str) -> str:
    """The other party was named at the question about the kind of conversation."""
    return f"Goed, dan bereiden we het gesprek met je {party} voor. Wat voor gesprek wordt het?"
