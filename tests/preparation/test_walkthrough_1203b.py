"""Walkthrough 2026-12-03b: go-back parsing, answers normalised, and the sheet's texts."""

from __future__ import annotations

from bot.conversation.turns import GoBack, parse_go_back
from bot.preparation.answers import (
    added_to_answer,
    addition_text,
    without_filler,
    without_tag_question,
)
from bot.preparation.practice import (
    KIND_REACTIONS,
    PO_KIND_REACTIONS,
    REACTIONS,
    answer_feedback,
    asks_for_line,
    likely_reactions,
    wished_reaction,
    worry_tip,
)
from bot.preparation.sheet import build_sheet, proposal_text, sections, strength_parts


def test_the_wish_to_add_without_words_is_read() -> None:
    text = "Wacht even, voordat ik dat kies. Bij vraag 3 wil ik nog iets toevoegen, mag dat?"
    assert parse_go_back(text) == GoBack(3, add_wished=True)
    assert parse_go_back("bij vraag 3 wil ik er ook geduld bij zetten") == GoBack(3, "geduld")
    assert parse_go_back("bij vraag 3 wil ik iets toevoegen: geduld") == GoBack(3, "geduld")


def test_a_correction_takes_the_words_after_the_colon() -> None:
    text = "oh sorry, dat was mijn antwoord op vraag 3, bij vraag 2 bedoel ik: meer afwisseling"
    assert parse_go_back(text) == GoBack(2, replacement="meer afwisseling", moved_to=3)


def test_an_addition_is_appended_as_a_sentence() -> None:
    added = addition_text("Ik wil er nog bij zetten dat ik nieuwe collega's vaak inwerk.")
    assert added == "dat ik nieuwe collega's vaak inwerk."
    assert added_to_answer("prep_strengths", "Ik werk nauwkeurig.", "inwerken") == (
        "Ik werk nauwkeurig. Inwerken"
    )
    assert added_to_answer("prep_strengths", "plannen", "geduld") == "plannen, geduld"


def test_filler_and_a_tag_question_are_left_off() -> None:
    goal = "Ik wil meer afwisseling. Ik weet niet of dat een beetje duidelijk is."
    assert without_filler(goal) == "Ik wil meer afwisseling."
    assert without_filler("Ik weet niet of dat duidelijk is.") == (
        "Ik weet niet of dat duidelijk is."  # all filler: kept, never empty
    )
    assert without_tag_question("andere taken en budget. Kan dat allebei?") == (
        "andere taken en budget."
    )
    assert without_tag_question("mag ik een cursus volgen?") is None
    assert without_tag_question("wat is evc? kan dat?") is None


def test_strengths_are_cut_where_a_new_one_starts() -> None:
    typed = (
        "goed met mensen aan de balie, ook als ze boos zijn. nauwkeurig, collega's komen bij "
        "mij met vragen over de regels. en nieuwe collega's inwerken."
    )
    assert strength_parts(typed) == [
        "goed met mensen aan de balie, ook als ze boos zijn",
        "nauwkeurig",
        "collega's komen bij mij met vragen over de regels",
        "nieuwe collega's inwerken",
    ]
    first = strength_parts("Hmm dat vind ik altijd lastig om te zeggen. Ik denk dat ik goed ben")
    assert first == ["goed"]


def test_the_proposal_does_not_repeat_the_whole_learning_goal() -> None:
    wants = "Ik wil graag een cursus digitale vaardigheden doen. Er gaat steeds meer online."
    proposal = proposal_text(wants, ["Budget voor een opleiding", "Andere of nieuwe taken"])
    assert "aan de slag met: Ik wil" not in proposal and "online" not in proposal
    assert proposal.startswith("Ik wil graag een cursus digitale vaardigheden doen.")
    assert "budget voor een opleiding en andere of nieuwe taken" in proposal


def test_the_sheet_with_a_date_does_not_say_plan_the_meeting() -> None:
    answers = {
        "prep_kind": "jaargesprek",
        "prep_goal": "Meer afwisseling. Ik weet niet of dat een beetje duidelijk is.",
        "prep_when": "donderdag 10 december 2026",
    }
    sheet = build_sheet(answers, likely_reactions(None, "jaargesprek", []))
    assert sheet.goal == "Meer afwisseling."
    assert not any("Plan het gesprek in" in step for step in sheet.next_steps)
    assert "donderdag 10 december 2026" in sheet.next_steps[0]
    no_date = build_sheet({"prep_kind": "jaargesprek"}, likely_reactions(None, "jaargesprek", []))
    assert no_date.next_steps[0].startswith("Plan het gesprek in")
    headings = [heading for heading, _ in sections(sheet)]
    assert "Mogelijke reacties en mijn antwoorden" not in headings  # never practised


def test_at_least_three_reactions_per_kind_and_party() -> None:
    for table in (KIND_REACTIONS, PO_KIND_REACTIONS):
        for kind, keys in table.items():
            assert len(set(keys)) >= 3, kind
    for kind in KIND_REACTIONS:
        pair = likely_reactions(None, kind, [], None, "P&O-adviseur")
        assert all(r.key != "weg" for r in pair)


def test_three_rounds_never_repeat_while_new_reactions_are_left() -> None:
    for kind in KIND_REACTIONS:
        done: set[str] = set()
        for _ in range(2):
            pair = likely_reactions(None, kind, [], None, None, done)
            assert not {r.key for r in pair} & done
            done |= {r.key for r in pair}


def test_the_busy_manager_line_and_tip() -> None:
    worry = "hij zegt vaak 'daar komen we later op terug' en dan gebeurt er niks"
    assert likely_reactions(None, "jaargesprek", [], worry)[0].key == "druk_later"
    assert "Wanneer komen we erop terug?" in (worry_tip(worry) or "")
    assert "blijven groeien" in (worry_tip("dat ze denkt dat ik weg wil") or "")  # 2026-12-04
    assert worry_tip("ik vind het gewoon spannend") is None
    request = "kunnen we oefenen dat hij zegt dat we er later op terugkomen?"
    assert asks_for_line(request) and wished_reaction(request) == "druk_later"
    assert not asks_for_line("Dat snap ik. Wanneer komen we erop terug? Volgende week?")


def test_feedback_is_about_what_was_typed() -> None:
    gave_up = "Eh... dan zou ik zeggen 'oh oké' en er niet meer over beginnen."
    assert "Geef niet meteen op" in answer_feedback(gave_up, REACTIONS["geld"])
    no_date = "Dat snap ik, maar het is voor mij wel belangrijk om dit te bespreken."
    assert "datum" in answer_feedback(no_date, REACTIONS["druk_later"])
    with_date = "Dat snap ik. Zullen we volgende week een afspraak maken?"
    assert "datum" not in answer_feedback(with_date, REACTIONS["druk_later"])


def test_a_workload_talk_opens_with_the_workload_and_has_no_growth_steps() -> None:
    """Walkthrough 2026-12-04b, Els: "minder caseload" under "ik wil graag blijven groeien",
    a POP and a voucher, and an empty heading of practised reactions."""
    from bot.preparation.sheet import build_sheet, sections

    answers = {
        "prep_kind": "tussendoor",
        "prep_goal": "dat ik minder zaken krijg voor een tijdje",
        "prep_ask": ["minder caseload voor een paar maanden"],
    }
    sheet = build_sheet(answers, [])
    assert sheet.opening.startswith("Ik wil graag met je praten over mijn werkdruk.")
    assert not any("POP" in step or "voucher" in step for step in sheet.next_steps)
    assert "Mogelijke reacties en voorbeeldantwoorden" not in [h for h, _ in sections(sheet)]
