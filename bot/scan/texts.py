"""Texts the scan actions send (plain Dutch, B1). Checked by tests/test_readability.py."""

from __future__ import annotations

from bot.scan.questions import QUESTIONS

TOTAL = len(QUESTIONS)

INTRO = (
    f"Fijn dat je de talentscan doet! Je krijgt {TOTAL} korte zinnen. "
    "Kies bij elke zin hoe goed die bij jou past. Er zijn geen goede of foute antwoorden. "
    "Het duurt ongeveer 5 minuten.\n"
    "Typ 'terug' om je vorige antwoord te veranderen. Typ 'stop' om te pauzeren."
)
RESUME = (
    "Welkom terug bij de scan. Je hebt al {answered} van de {total} vragen beantwoord. "
    "We gaan verder."
)
ALREADY_DONE = "Je hebt de scan al gedaan. Hier is je uitslag nog een keer."
REDO_HINT = "Wil je de scan opnieuw doen? Typ dan: scan opnieuw."
RESET = "Prima, we beginnen opnieuw. Je oude antwoorden heb ik gewist."
GO_BACK = "Geen probleem. We gaan terug naar de vorige vraag."
GO_BACK_TO = "Geen probleem. We gaan terug naar vraag {number}."
GO_BACK_AFTER_RESULT = "Geen probleem. Je kunt je laatste antwoord nog veranderen."
FIRST_QUESTION = "Dit is de eerste vraag. Er is nog geen vorige vraag."
NOT_UNDERSTOOD = (
    "Dat begreep ik niet helemaal. Kies een van de knoppen. "
    "Of typ bijvoorbeeld 'klopt wel', 'soms' of een cijfer van 1 tot 5."
)
QUESTION = "Vraag {number} van {total}:\n{text}"
