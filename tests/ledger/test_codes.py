"""Voucher and booking codes: alphabet, check character, finding codes in chat text."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.ledger.codes import (
    ALPHABET,
    CodeProblem,
    check_character,
    check_code,
    find_code,
    format_code,
    new_code,
    normalize,
)

codes = st.text(alphabet=ALPHABET, min_size=15, max_size=15).map(
    lambda body: body + check_character(body)
)


def test_alphabet_has_no_look_alikes_and_is_prime_sized() -> None:
    assert not set("01ILO") & set(ALPHABET)
    assert len(ALPHABET) == 31 == len(set(ALPHABET))


@pytest.mark.parametrize("kind, length", [("voucher", 16), ("booking", 10)])
def test_new_codes_are_valid_and_random(kind: str, length: int) -> None:
    made = {new_code(kind) for _ in range(200)}
    assert len(made) == 200
    for code in made:
        assert len(code) == length
        assert check_code(code, kind).ok
        assert check_code(format_code(code).lower(), kind).ok


@settings(max_examples=200, deadline=None)
@given(code=codes, position=st.integers(0, 15), replacement=st.sampled_from(ALPHABET))
def test_every_single_typo_is_caught(code: str, position: int, replacement: str) -> None:
    typo = code[:position] + replacement + code[position + 1 :]
    result = check_code(typo)
    assert result.ok == (typo == code)
    if typo != code:
        assert result.problem is CodeProblem.CHECK_MISMATCH


@settings(max_examples=200, deadline=None)
@given(code=codes, position=st.integers(0, 14))
def test_every_swap_of_neighbours_is_caught(code: str, position: int) -> None:
    swapped = code[:position] + code[position + 1] + code[position] + code[position + 2 :]
    assert check_code(swapped).ok == (swapped == code)


def test_a_booking_code_is_never_a_voucher_code() -> None:
    booking = new_code("booking")
    assert check_code(booking, "voucher").problem is CodeProblem.WRONG_LENGTH
    assert find_code(booking, "voucher") is None


@pytest.mark.parametrize(
    "raw, problem",
    [
        ("", CodeProblem.EMPTY),
        ("ABCD-EFGH", CodeProblem.WRONG_LENGTH),
        ("ABCD-EFGH-JKMN-PQR0", CodeProblem.BAD_CHARACTER),
        ("ILO1-EFGH-JKMN-PQRS", CodeProblem.BAD_CHARACTER),
    ],
)
def test_malformed_codes_say_what_is_wrong(raw: str, problem: CodeProblem) -> None:
    assert check_code(raw).problem is problem


def test_bad_characters_are_listed_once_in_order() -> None:
    assert check_code("O0O1-EFGH-JKMN-PQRS").bad_characters == ("O", "0", "1")


def test_codes_are_found_in_chat_messages() -> None:
    code = new_code()
    grouped = format_code(code)
    for message in (
        f"wat is de status van mijn voucher {grouped}",
        f"status {grouped.replace('-', ' ')} graag",
        f"{code.lower()}",
        f"mijn code is {grouped}!",
    ):
        found = find_code(message, "voucher")
        assert found is not None and found.ok and found.normalized == code, message


def test_ordinary_words_are_not_codes() -> None:
    assert find_code("mijn ontwikkelgesprek gaat niet door", "voucher") is None
    assert find_code("wat is de status van mijn voucher", "voucher") is None
    assert find_code("ik wil mijn afspraak afzeggen", "booking") is None


def test_a_typo_in_chat_is_reported_as_a_typo() -> None:
    code = new_code()
    wrong = code[:-1] + ("2" if code[-1] != "2" else "3")
    found = find_code(f"status van {format_code(wrong)}", "voucher")
    assert found is not None and found.problem is CodeProblem.CHECK_MISMATCH


def test_normalize_strips_separators_and_case() -> None:
    assert normalize(" ab-cd ef_gh.jk ") == "ABCDEFGHJK"


def test_lenient_search_accepts_a_plain_lower_case_code() -> None:
    code = "HQRTXBWMC" + check_character("HQRTXBWMC", "booking")
    assert find_code(code.lower(), "booking") is None
    found = find_code(code.lower(), "booking", lenient=True)
    assert found is not None and found.ok
