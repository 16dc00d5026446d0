"""How employees type is tidied for the classifier: shouting, stretched words, typos, "ok"."""

from __future__ import annotations

import pytest

from bot.conversation.normalise import (
    collapse_repeats,
    correct_typo,
    drop_filler_opening,
    is_shouting,
    normalise_for_nlu,
    vocabulary,
)

KNOWN = vocabulary(
    ["ik wil de scan doen", "ja", "nee", "mwah", "stoppp", "een stap terug", "scans"]
)


@pytest.mark.parametrize(
    ("typed", "tidy"),
    [
        ("IK WIL DE SCNA DOEN!!!!", "ik wil de scan doen!"),
        ("scaaaan", "scan"),
        ("jaaaa", "ja"),
        ("neeeee dat hoeft niet", "nee dat hoeft niet"),
        ("ik wil die vouchr van 375 euro", "ik wil die voucher van 375 euro"),
        ("ik wil een afspraak met een coatch", "ik wil een afspraak met een coach"),
        ("mijn leidinggevnde snapt het niet", "mijn leidinggevende snapt het niet"),
        ("ok dan doe ik de scan", "dan doe ik de scan"),
        ("ja maar eerst wil ik die scan doen", "eerst wil ik die scan doen"),
        ("nou, boek dan maar een coach", "boek dan maar een coach"),
        ("wat??? echt?!?!", "wat? echt?"),
    ],
)
def test_tidied_for_the_classifier(typed: str, tidy: str) -> None:
    assert normalise_for_nlu(typed, KNOWN) == tidy


@pytest.mark.parametrize(
    "typed",
    [
        "/affirm",
        "ok",
        "oké hoor",
        "ok thx doei",  # two words after "ok": the "ok" is part of the meaning
        "ik wil HR spreken",  # an abbreviation is no shouting
        "een stap terug",  # "stap" is one edit from "stop" but a word of the training data
        "mijn code is UVDEW-987ZM",
        "",
    ],
)
def test_left_as_typed(typed: str) -> None:
    assert normalise_for_nlu(typed, KNOWN) == typed


def test_a_shouted_code_keeps_its_capitals() -> None:
    assert normalise_for_nlu("MIJN CODE IS UVDEW-987ZM", KNOWN) == "mijn code is UVDEW-987ZM"
    assert not is_shouting("UVDEW-987ZM")


def test_repeats_collapse_to_a_known_form() -> None:
    assert collapse_repeats("mwaaaah", KNOWN) == "mwah"
    assert collapse_repeats("stoppp", KNOWN) == "stoppp"  # the training data has it like this
    assert collapse_repeats("heeeel", frozenset()) == "heel"  # unknown: Dutch double letters


def test_typos_are_corrected_only_towards_product_words() -> None:
    assert correct_typo("scna", KNOWN) == "scan"
    assert correct_typo("Scans", KNOWN) == "Scans"
    assert correct_typo("fiets", KNOWN) == "fiets"
    assert correct_typo("kan", KNOWN) == "kan"  # too short to guess


def test_a_filler_is_dropped_only_before_a_real_request() -> None:
    assert drop_filler_opening("oké, plan dan een coach in") == "plan dan een coach in"
    assert drop_filler_opening("ok prima") == "ok prima"


@pytest.mark.parametrize("typo", ["worksop", "wokshop", "workshp"])
def test_workshop_typos_reach_the_cancel_request(typo: str) -> None:
    """Walkthrough 2026-12-03b: "zeg de worksop maar af" was read as a voucher request."""
    typed = f"zeg de {typo} maar af. krijg ik mijn vocher dan terug?"
    assert normalise_for_nlu(typed, KNOWN) == (
        "zeg de workshop maar af. krijg ik mijn voucher dan terug?"
    )
