"""Shape detectors: checksums, Dutch formats, and property tests for the checksummed ones."""

from __future__ import annotations

import itertools
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.config import DEFAULT_EMPLOYEE_NUMBER_PATTERN
from bot.privacy.detectors import (
    Finding,
    PiiType,
    elfproef,
    find_addresses,
    find_birth_dates,
    find_bsns,
    find_emails,
    find_employee_numbers,
    find_ibans,
    find_ips,
    find_patterns,
    find_phones,
    find_postcodes,
    find_urls,
    iban_check_digits,
    iban_valid,
    merge_findings,
    normalise_phone,
)


def spans(text: str, findings: list[Finding]) -> list[str]:
    return [text[f.start : f.end] for f in findings]


def kinds(text: str) -> dict[str, str]:
    return {text[f.start : f.end]: f.kind.value for f in merge_findings(find_patterns(text))}


# -- checksums


@pytest.mark.parametrize("number", ["111222333", "123456782", "1234.56.782", "123 456 782"])
def test_elfproef_accepts_valid_bsns(number: str) -> None:
    assert elfproef(number)


@pytest.mark.parametrize("number", ["123456789", "000000000", "12345678", "1234567890", "abc"])
def test_elfproef_rejects_invalid(number: str) -> None:
    assert not elfproef(number)


def test_iban_mod97() -> None:
    assert iban_valid("NL91 ABNA 0417 1643 00")
    assert iban_valid("nl91abna0417164300")
    assert not iban_valid("NL92 ABNA 0417 1643 00")  # check digits wrong
    assert not iban_valid("NL91 ABNA 0417 1643 0")  # too short for NL
    assert iban_check_digits("NL", "ABNA0417164300") == "91"


bsn_digits = st.lists(st.integers(0, 9), min_size=8, max_size=8).filter(lambda d: d[0] != 0)


def _make_bsn(d: list[int]) -> str | None:
    check = sum(v * w for v, w in zip(d, range(9, 1, -1), strict=True)) % 11
    return None if check > 9 else "".join(map(str, d)) + str(check)


@settings(max_examples=200, deadline=None)
@given(bsn_digits, st.sampled_from(["{}", "{0}.{1}.{2}", "{3} {4} {5}"]))
def test_every_valid_bsn_is_found(digits: list[int], layout: str) -> None:
    bsn = _make_bsn(digits)
    if bsn is None:
        return
    parts = (bsn[:4], bsn[4:6], bsn[6:], bsn[:3], bsn[3:6], bsn[6:])
    written = bsn if layout == "{}" else layout.format(*parts)
    text = f"Mijn nummer is {written}, klopt dat?"
    assert written in spans(text, find_bsns(text))


@settings(max_examples=200, deadline=None)
@given(st.integers(100_000_000, 999_999_999))
def test_nine_digits_without_elfproef_or_context_are_kept(number: int) -> None:
    text = f"Code {number} voor de workshop"
    assert bool(find_bsns(text)) == elfproef(str(number))


def test_bsn_context_overrides_checksum() -> None:
    text = "Mijn BSN is 123456789 (denk ik)"
    assert spans(text, find_bsns(text)) == ["123456789"]


@settings(max_examples=200, deadline=None)
@given(
    st.text("0123456789", min_size=10, max_size=10),
    st.sampled_from(["ABNA", "RABO", "INGB"]),
    st.booleans(),
    st.booleans(),
)
def test_every_valid_iban_is_found(account: str, bank: str, grouped: bool, lower: bool) -> None:
    bban = bank + account
    iban = "NL" + iban_check_digits("NL", bban) + bban
    written = " ".join(iban[i : i + 4] for i in range(0, 18, 4)) if grouped else iban
    written = written.lower() if lower else written
    text = f"Graag naar {written} overmaken."
    assert written in spans(text, find_ibans(text))


def test_iban_with_bad_checksum_needs_context() -> None:
    assert not find_ibans("Code NL92ABNA0417164300 gebruiken")
    assert find_ibans("Mijn IBAN is NL92ABNA0417164300")


# -- phones


@pytest.mark.parametrize(
    "phone",
    [
        "06-12345678",
        "06 1234 5678",
        "06 12 34 56 78",
        "0612345678",
        "+31 6 12345678",
        "+31(0)6-12345678",
        "+31 (0)6 1234 5678",
        "0031 6 12345678",
        "020-5551234",
        "010 - 123 45 67",
        "0513 123456",
        "(020) 555 71 82",
        "088-1234567",
        "06.12.34.56.78",
        "+32 478 12 34 56",
        "+212 661 234 567",
    ],
)
def test_phone_formats(phone: str) -> None:
    text = f"Bel me op {phone}, graag."
    assert spans(text, find_phones(text)) == [phone]


@pytest.mark.parametrize(
    "text",
    [
        "In 2019 en 2020",
        "schaal 8, trede 10",
        "€ 1.250,-",
        "0,8 fte",
        "om 10:30",
        "12-03-2026",
        "versie 2.1.3",
        "36 uur per week",
    ],
)
def test_not_phones(text: str) -> None:
    assert find_phones(text) == []


def test_normalise_phone() -> None:
    assert normalise_phone("+31 (0)6 1234 5678") == "0612345678"
    assert normalise_phone("0031612345678") == "0612345678"
    assert normalise_phone("06-1234567") is None


def test_internal_extension() -> None:
    text = "Mijn doorkiesnummer is 4417."
    assert spans(text, find_phones(text)) == ["4417"]


# -- postcodes, addresses, dates


@pytest.mark.parametrize("pc", ["1234 AB", "1234AB", "1234ab", "9101 XK"])
def test_postcodes(pc: str) -> None:
    text = f"Ik woon in {pc} Dokkum"
    assert spans(text, find_postcodes(text)) == [pc]


@pytest.mark.parametrize("text", ["In 2019 en 2020", "1234 SS", "het was 2000 af", "375 euro"])
def test_not_postcodes(text: str) -> None:
    assert find_postcodes(text) == []


def test_lowercase_postcode_with_space_needs_context() -> None:
    assert spans("postcode 2033 bg", find_postcodes("postcode 2033 bg")) == ["2033 bg"]


@pytest.mark.parametrize(
    "address",
    [
        "Kerkstraat 12",
        "Dorpsstraat 14a",
        "Hoofdweg 118-2",
        "Rozengracht 133 hs",
        "Prins Hendrikkade 21",
        "Burgemeester de Withstraat 31",
        "Pastoor van Arsstraat 9",
    ],
)
def test_street_addresses(address: str) -> None:
    text = f"Mijn adres is {address}, Utrecht."
    assert address in spans(text, find_addresses(text))


def test_address_after_living_context() -> None:
    text = "Ik woon aan de Laan van Meerdervoort 40 in Den Haag."
    assert spans(text, find_addresses(text)) == ["Laan van Meerdervoort 40"]


def test_career_words_ending_like_streets_are_not_addresses() -> None:
    assert find_addresses("mijn loopbaan 2 keer besproken") == []


@pytest.mark.parametrize(
    "text,date_text",
    [
        ("geboren op 14-07-1965", "14-07-1965"),
        ("Geb. 3 maart 1971", "3 maart 1971"),
        ("geboortedatum: 1965-02-17", "1965-02-17"),
        ("ik ben van 22/11/1963", "22/11/1963"),
        ("jarig op 2 mei 2001", "2 mei 2001"),
    ],
)
def test_birth_dates(text: str, date_text: str) -> None:
    assert spans(text, find_birth_dates(text, today=date(2026, 11, 23))) == [date_text]


def test_recent_and_future_dates_are_kept() -> None:
    today = date(2026, 11, 23)
    assert find_birth_dates("De workshop is op 14 januari 2027", today) == []
    assert find_birth_dates("gesprek op 12-03-2026", today) == []
    assert find_birth_dates("sinds 2009 in dienst", today) == []


# -- e-mail, URL, IP, employee numbers


@pytest.mark.parametrize(
    "email",
    [
        "jan.jansen@zaanstad.nl",
        "a.el-amrani@gemeente-almere.nl",
        "x_y+z@gmail.com",
        "a.elamrani [at] gemeente-zaanstad.nl",
    ],
)
def test_emails(email: str) -> None:
    text = f"Mail naar {email} graag"
    assert spans(text, find_emails(text)) == [email]


@pytest.mark.parametrize(
    "url",
    [
        "https://www.linkedin.com/in/sanne-bakker",
        "www.jeroenvisser.nl",
        "linkedin.com/in/fatima-el-amrani",
        "http://example.org/a?b=c",
    ],
)
def test_urls(url: str) -> None:
    text = f"Zie {url}."
    assert spans(text, find_urls(text)) == [url]


def test_ips() -> None:
    text = "Van 192.168.14.23 en 2001:db8:85a3::8a2e:370:7334, niet versie 1.2.3.4 of 10:30:00"
    assert spans(text, find_ips(text)) == ["192.168.14.23", "2001:db8:85a3::8a2e:370:7334"]


def test_employee_numbers() -> None:
    text = "Personeelsnummer: 204518, of P-118392 of mw-552301, niet 2019"
    found = spans(text, find_employee_numbers(text, DEFAULT_EMPLOYEE_NUMBER_PATTERN))
    assert sorted(found) == ["204518", "P-118392", "mw-552301"]


def test_employee_pattern_is_configurable() -> None:
    text = "Mijn code is ZA-99887."
    assert find_employee_numbers(text, None) == []
    assert spans(text, find_employee_numbers(text, r"\bZA-\d{5}\b")) == ["ZA-99887"]


# -- merging


def test_merge_prefers_the_stronger_type() -> None:
    text = "jan.jansen@zaanstad.nl"
    merged = merge_findings(find_patterns(text))
    assert [(f.kind, f.start, f.end) for f in merged] == [(PiiType.EMAIL, 0, len(text))]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 50), st.integers(1, 20), st.sampled_from(list(PiiType))),
        max_size=12,
    )
)
def test_merged_findings_are_sorted_and_disjoint(raw: list[tuple[int, int, PiiType]]) -> None:
    merged = merge_findings(Finding(kind, s, s + n) for s, n, kind in raw)
    for a, b in itertools.pairwise(merged):
        assert a.end <= b.start
    covered = {i for s, n, _ in raw for i in range(s, s + n)}
    assert covered == {i for f in merged for i in range(f.start, f.end)}


def test_mixed_message() -> None:
    text = (
        "BSN 111222333, IBAN NL91 ABNA 0417 1643 00, tel 06-12345678, "
        "postcode 1234 AB, mail a@b.nl"
    )
    assert kinds(text) == {
        "111222333": "BSN",
        "NL91 ABNA 0417 1643 00": "IBAN",
        "06-12345678": "TELEFOON",
        "1234 AB": "POSTCODE",
        "a@b.nl": "EMAIL",
    }
