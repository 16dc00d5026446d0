"""Pattern detectors for personal data that has a fixed shape (numbers, addresses, e-mail).

Pure functions on plain strings: no spaCy, no I/O, no state. Each detector returns
:class:`Finding` spans on the text it was given; :mod:`bot.privacy.scrubber` merges them with the
name finder and replaces them by typed placeholders. Checksums (elfproef, mod-97) keep random
numbers such as amounts and years from being removed; a context word ("BSN", "IBAN",
"personeelsnummer") overrides the checksum, because a mistyped BSN is still a BSN.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from enum import Enum
from functools import lru_cache


class PiiType(str, Enum):
    """Kinds of personal data; the value is the placeholder word, in Dutch."""

    NAAM = "NAAM"
    EMAIL = "EMAIL"
    TELEFOON = "TELEFOON"
    BSN = "BSN"
    IBAN = "IBAN"
    POSTCODE = "POSTCODE"
    ADRES = "ADRES"
    GEBOORTEDATUM = "GEBOORTEDATUM"
    PERSONEELSNUMMER = "PERSONEELSNUMMER"
    URL = "URL"
    IP = "IP"

    @property
    def placeholder(self) -> str:
        return f"[{self.value}]"


# When two findings overlap, the merged span takes the type that comes first here: a shape
# with a checksum or a hard syntax beats a guess.
PRIORITY: tuple[PiiType, ...] = (
    PiiType.EMAIL,
    PiiType.URL,
    PiiType.IBAN,
    PiiType.IP,
    PiiType.BSN,
    PiiType.TELEFOON,
    PiiType.PERSONEELSNUMMER,
    PiiType.GEBOORTEDATUM,
    PiiType.POSTCODE,
    PiiType.ADRES,
    PiiType.NAAM,
)


@dataclass(frozen=True, slots=True)
class Finding:
    """A span ``text[start:end]`` holding personal data of type ``kind``.

    The matched text itself is deliberately not kept, so findings can be logged and counted.
    """

    kind: PiiType
    start: int
    end: int
    source: str = "regex"


# ---------------------------------------------------------------------------------------------
# checksums


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def elfproef(number: str) -> bool:
    """True if ``number`` (digits, separators ignored) is a valid BSN by the elfproef.

    BSNs have 9 digits; the old 8-digit form gets a leading zero. Weights 9..2 and -1 for the
    last digit; the sum must be a multiple of 11 and not zero.
    """
    digits = _digits(number)
    if len(digits) == 8:
        digits = "0" + digits
    if len(digits) != 9:
        return False
    values = [int(d) for d in digits]
    total = sum(v * w for v, w in zip(values[:8], range(9, 1, -1), strict=True)) - values[8]
    return total % 11 == 0 and any(values)


IBAN_LENGTHS: dict[str, int] = {
    "NL": 18,
    "BE": 16,
    "DE": 22,
    "FR": 27,
    "GB": 22,
    "ES": 24,
    "IT": 27,
    "LU": 20,
    "AT": 20,
    "CH": 21,
    "PL": 28,
    "TR": 26,
    "MA": 28,
    "PT": 25,
    "IE": 22,
    "DK": 18,
    "SE": 24,
    "NO": 15,
    "FI": 18,
    "CZ": 24,
    "HU": 28,
    "RO": 24,
    "BG": 22,
    "GR": 27,
    "HR": 21,
    "SI": 19,
    "SK": 24,
    "LT": 20,
    "LV": 21,
    "EE": 20,
    "CY": 28,
    "MT": 31,
    "IS": 26,
    "LI": 21,
}


def iban_valid(candidate: str) -> bool:
    """True if ``candidate`` (spaces allowed) is an IBAN with a valid mod-97 check.

    Countries in :data:`IBAN_LENGTHS` must have their exact length; others 15..34 characters.
    """
    compact = re.sub(r"[\s.-]", "", candidate).upper()
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{11,30}", compact):
        return False
    expected = IBAN_LENGTHS.get(compact[:2])
    if expected is not None and len(compact) != expected:
        return False
    rearranged = compact[4:] + compact[:4]
    numeric = "".join(str(int(ch, 36)) for ch in rearranged)
    return int(numeric) % 97 == 1


def iban_check_digits(country: str, bban: str) -> str:
    """The two check digits that make ``country`` + ``??`` + ``bban`` a valid IBAN."""
    rearranged = (bban + country + "00").upper()
    numeric = "".join(str(int(ch, 36)) for ch in rearranged)
    return f"{98 - int(numeric) % 97:02d}"


# ---------------------------------------------------------------------------------------------
# individual detectors

_EMAIL_RE = re.compile(
    r"(?<![\w.+-])[\w.+%-]{1,64}\s?(?:@|\[at\]|\(at\)|\[@\]|\s\(at\)\s)\s?"
    r"[\w-]{1,63}(?:(?:\.|\[dot\]|\(dot\)|\(punt\))[\w-]{1,63})*"
    r"(?:\.|\[dot\]|\(dot\)|\(punt\))[A-Za-z]{2,24}\b"
)

_TLDS = (
    "nl|com|org|net|eu|be|de|io|info|frl|amsterdam|nu|app|dev|gov|edu|co|uk|fr|me|online|"
    "site|tech|biz|ly|to|tv|ai|page"
)
_URL_RE = re.compile(
    r"(?:\b(?:https?|ftp)://|\bwww\.)[^\s<>\"'\]\)]+"
    r"|\b(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:" + _TLDS + r")\b"
    r"(?::\d{2,5})?(?:/[^\s<>\"'\]\)]*)?",
    re.IGNORECASE,
)
_URL_TRAILING = ".,;:!?)"

_IPV4_RE = re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?:/\d{1,2})?(?![\d.]*\d)")
_IPV6_RE = re.compile(r"(?<![\w:])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?:/\d{1,3})?(?![\w:])")

# A run of digits with Dutch phone punctuation, starting with +, 00 or 0.
_PHONE_RE = re.compile(
    r"(?<![\w+])(?:\+|00)\d{1,3}[\s.-]?(?:\(0\)[\s.-]?)?\d(?:[\s.()/-]{0,2}\d){6,13}(?!\w)"
    r"|(?<![\w+])\(?0\d{1,3}\)?(?:[\s./-]{0,3}\d){6,9}(?!\w)"
)
_EXTENSION_RE = re.compile(
    r"\b(?:toestel(?:nummer)?|tst\.?|doorkies(?:nummer)?|intern(?:e)? nummer|"
    r"extensie|ext\.?)\s*[:#]?\s*(?:is\s+)?(\d{3,5})\b",
    re.IGNORECASE,
)

_BSN_CANDIDATE_RE = re.compile(
    r"(?<![\w.,-])(?:\d{9}|\d{3}[ .-]\d{3}[ .-]\d{3}|\d{4}\.\d{2}\.\d{3})(?![\w]|[.,-]\d)"
)
_BSN_CONTEXT_RE = re.compile(
    r"\b(?:bsn|burgerservicenummer|burger\s?service\s?nummer|sofi-?nummer|sofinr\.?)"
    r"\b[^\d\n]{0,25}(\d[\d .-]{6,12}\d)",
    re.IGNORECASE,
)

_IBAN_RE = re.compile(
    r"(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}(?:[ ]?[A-Za-z0-9]){11,30}(?![A-Za-z0-9])",
)
_ACCOUNT_CONTEXT_RE = re.compile(
    r"\b(?:iban|rekening(?:nummer)?|rekeningnr\.?|bankrekening(?:nummer)?|reknr\.?)"
    r"\b[^\w\n]{0,6}(?:is\s|:\s?|nr\.?\s)?\s*"
    r"([A-Za-z]{2}\d{2}(?:\s?[A-Za-z0-9]{4}){2,7}(?:\s?[A-Za-z0-9]{1,4})?(?![A-Za-z0-9])"
    r"|\d[\d .]{6,12}\d)",
    re.IGNORECASE,
)

# Letters SA, SD and SS are never issued; lower-case letters after a space ("2019 en") are
# only a postcode after the word "postcode".
_POSTCODE_RE = re.compile(
    r"(?<![\w-])[1-9]\d{3}(?:\s?(?!SA|SD|SS)[A-Z]{2}|(?!sa|sd|ss)[a-z]{2})(?![\w-])"
)
_POSTCODE_CONTEXT_RE = re.compile(
    r"\bpostcode\b[^\w\n]{0,3}(?:is\s)?([1-9]\d{3}\s?[A-Za-z]{2})(?![\w-])", re.IGNORECASE
)

_STREET_SUFFIXES = (
    "straat|laan|weg|plein|gracht|kade|dijk|singel|park|hof|steeg|pad|dreef|erf|baan|ring|"
    "plantsoen|markt|wal|veld|boulevard|allee|haven|oord|kamp|akker|lei|stede|zijde|brink|dam|"
    "hoven|vaart|weide|straatweg|dreef|hoek|poort|burcht|tuin|gaarde|donk|horst|berg|bos|"
    "hout|wijk|meer|plaats|rade|lint|bocht|hage|wei|straatje|laantje|pleintje|kwartier|"
    "promenade|passage|galerij|zoom|rak|werf|zand|gang|dreefje|terp|streek"
)
_HOUSE_NUMBER = (
    r"\d{1,5}(?:\s?[-/]\s?\d{1,4})?(?:\s?[A-Za-z](?![\w]))?"
    r"(?:[\s-]?(?:bis|hs|huis|boven|beneden|I{1,3}|zw|rd)\b)?"
)
_PARTICLE = r"(?:van|de|der|den|het|'t|ten|ter|d')"
# The street word must start with a capital: "mijn loopbaan 2 keer" is not an address.
_STREET_RE = re.compile(
    r"(?<![\w])(?:(?:[A-Z][\w'’.-]*|" + _PARTICLE + r")\s){0,4}"
    r"[A-ZÀ-Þ][\w'’-]*?(?:" + _STREET_SUFFIXES + r")\s+" + _HOUSE_NUMBER + r"(?!\w)",
)
_ADDRESS_CONTEXT_RE = re.compile(
    r"\b(?:woon|woont|wonen|woonde|adres\s(?:is|:)?|adres:|verhuisd\snaar|verhuis\snaar|"
    r"woonachtig)\s+(?:(?:op|aan|in)\s+)?(?:(?:de|het|'t)\s+)?"
    r"([A-Z][\w'’.-]*\s(?:(?:[A-Z][\w'’.-]*|"
    + _PARTICLE
    + r")\s){0,4}"
    + _HOUSE_NUMBER
    + r")(?!\w)",
)

_MONTHS = (
    "januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december|"
    "jan|feb|mrt|apr|jun|jul|aug|sep|sept|okt|nov|dec"
)
_DATE_RE = re.compile(
    r"(?<![\w/.-])(?:(?P<d1>[0-3]?\d)[-/.](?P<m1>[01]?\d)[-/.](?P<y1>(?:19|20)\d{2}|'?\d{2})"
    r"|(?P<y2>(?:19|20)\d{2})-(?P<m2>[01]\d)-(?P<d2>[0-3]\d)"
    r"|(?P<d3>[0-3]?\d)(?:e|ste|de)?\s(?P<m3>" + _MONTHS + r")\.?\s(?P<y3>(?:19|20)\d{2}|'\d{2}))"
    r"(?![\w/-]|\.\d)",
    re.IGNORECASE,
)
_BIRTH_CONTEXT_RE = re.compile(
    r"\b(?:geboren|geb\.|geboortedatum|geboortedag|geb\.datum|verjaardag|jarig|"
    r"ik\sben\svan|date\sof\sbirth|dob)\b",
    re.IGNORECASE,
)
_EMPLOYEE_CONTEXT_RE = re.compile(
    r"\b(?:personeelsnummer|personeelsnr\.?|pers\.?\s?nr\.?|medewerkersnummer|medewerkernummer|"
    r"werknemersnummer|registratienummer|p-nummer|pnr\.?|employee\s(?:id|number))"
    r"\b[^\w\n]{0,4}(?:is\s)?([A-Za-z]{0,3}[-.]?\d{3,10})\b",
    re.IGNORECASE,
)


def find_emails(text: str) -> list[Finding]:
    """E-mail addresses, also the spam-proof ``naam [at] domein punt nl`` forms."""
    return [Finding(PiiType.EMAIL, m.start(), m.end()) for m in _EMAIL_RE.finditer(text)]


def find_urls(text: str) -> list[Finding]:
    """Web addresses with a scheme, ``www.`` or a known top-level domain (``linkedin.com/in/x``)."""
    found = []
    for m in _URL_RE.finditer(text):
        end = m.end()
        while end > m.start() and text[end - 1] in _URL_TRAILING:
            end -= 1
        # "e.g." or "i.v.m." style abbreviations never reach here: they have no known TLD.
        found.append(Finding(PiiType.URL, m.start(), end))
    return found


def find_ips(text: str) -> list[Finding]:
    """IPv4 and IPv6 addresses, validated with :mod:`ipaddress`."""
    found = []
    for m in _IPV4_RE.finditer(text):
        candidate = m.group().split("/")[0]
        parts = candidate.split(".")
        if all(p.isdigit() and int(p) <= 255 for p in parts) and not _looks_like_version(
            text, m.start()
        ):
            found.append(Finding(PiiType.IP, m.start(), m.end()))
    for m in _IPV6_RE.finditer(text):
        candidate = m.group().split("/")[0]
        hex_digits = sum(ch in "0123456789abcdefABCDEF" for ch in candidate)
        if candidate.count(":") < 2 or hex_digits < 4:
            continue
        try:
            ipaddress.IPv6Address(candidate)
        except ValueError:
            continue
        found.append(Finding(PiiType.IP, m.start(), m.end()))
    return found


def _looks_like_version(text: str, start: int) -> bool:
    """``versie 1.2.3.4`` / ``v1.2.0.1`` are software versions, not addresses."""
    before = text[max(0, start - 10) : start].lower()
    return before.rstrip().endswith(("versie", "version", "v", "release"))


def normalise_phone(candidate: str) -> str | None:
    """The number in national form (``0612345678``) or ``+<digits>`` abroad; None if no phone.

    Dutch numbers have ten digits starting with 0 (second digit not 0); ``+31``/``0031``
    prefixes and a ``(0)`` after them are removed first.
    """
    compact = re.sub(r"[\s.()/-]", "", candidate.replace("(0)", ""))
    if compact.startswith("+"):
        digits = compact[1:]
    elif compact.startswith("00"):
        digits = compact[2:]
    else:
        digits = ""
    if digits:
        if not digits.isdigit():
            return None
        if digits.startswith("31"):
            national = "0" + digits[2:]
            return national if _dutch_national(national) else None
        return "+" + digits if 8 <= len(digits) <= 15 else None
    if not compact.isdigit():
        return None
    return compact if _dutch_national(compact) else None


def _dutch_national(number: str) -> bool:
    if number.startswith(("0800", "0900", "0906", "0909")):
        return 8 <= len(number) <= 11
    return len(number) == 10 and number[0] == "0" and number[1] != "0"


def find_phones(text: str) -> list[Finding]:
    """Dutch phone numbers in common notations, international numbers, internal extensions."""
    found = []
    for m in _PHONE_RE.finditer(text):
        raw = m.group()
        start, end = m.start(), m.end()
        # A closing bracket that is not part of the number ("(tel 0612345678)").
        if raw.endswith(")") and raw.count("(") < raw.count(")"):
            end -= 1
        if normalise_phone(text[start:end]) is not None:
            found.append(Finding(PiiType.TELEFOON, start, end))
    for m in _EXTENSION_RE.finditer(text):
        found.append(Finding(PiiType.TELEFOON, m.start(1), m.end(1)))
    return found


def find_bsns(text: str) -> list[Finding]:
    """BSNs: nine digits passing the elfproef, or any 8-9 digit number after "BSN"/"sofinummer"."""
    found = [
        Finding(PiiType.BSN, m.start(), m.end())
        for m in _BSN_CANDIDATE_RE.finditer(text)
        if elfproef(m.group()) and len(_digits(m.group())) == 9
    ]
    for m in _BSN_CONTEXT_RE.finditer(text):
        if 8 <= len(_digits(m.group(1))) <= 9:
            found.append(Finding(PiiType.BSN, m.start(1), m.end(1)))
    return found


def find_ibans(text: str) -> list[Finding]:
    """IBANs with a valid mod-97 check; after "IBAN"/"rekeningnummer" any account number."""
    found = []
    for m in _IBAN_RE.finditer(text):
        start, raw = m.start(), m.group()
        # The greedy optional spaces may take a following word: shrink until it validates.
        match_end = _longest_valid_iban(raw)
        if match_end and _iban_grouping(raw[:match_end]):
            found.append(Finding(PiiType.IBAN, start, start + match_end))
    for m in _ACCOUNT_CONTEXT_RE.finditer(text):
        value = m.group(1).rstrip()
        if len(re.sub(r"\W", "", value)) >= 8:
            found.append(Finding(PiiType.IBAN, m.start(1), m.start(1) + len(value)))
    return found


def _iban_grouping(candidate: str) -> bool:
    """Spaces only as IBANs are written, in groups of four ("NL91 ABNA 0417 1643 00"):
    "GM9901 is de code van mijn gemeente" passes mod-97 by chance, but is words."""
    groups = candidate.split(" ")
    return len(groups) == 1 or all(len(g) == 4 for g in groups[:-1]) and 1 <= len(groups[-1]) <= 4


def _longest_valid_iban(raw: str) -> int:
    for end in range(len(raw), 14, -1):
        if raw[end - 1] == " ":
            continue
        if iban_valid(raw[:end]):
            return end
    return 0


def find_postcodes(text: str) -> list[Finding]:
    """Dutch postcodes ``1234 AB`` / ``1234AB`` / ``1234ab``; ``1234 ab`` only after "postcode"."""
    found = [Finding(PiiType.POSTCODE, m.start(), m.end()) for m in _POSTCODE_RE.finditer(text)]
    found += [
        Finding(PiiType.POSTCODE, m.start(1), m.end(1)) for m in _POSTCODE_CONTEXT_RE.finditer(text)
    ]
    return found


def find_addresses(text: str) -> list[Finding]:
    """Street + house number (``Kerkstraat 12a``, ``Laan van Meerdervoort 40``) after a street
    suffix or a living context ("ik woon op ...")."""
    found = [Finding(PiiType.ADRES, m.start(), m.end()) for m in _STREET_RE.finditer(text)]
    found += [
        Finding(PiiType.ADRES, m.start(1), m.end(1)) for m in _ADDRESS_CONTEXT_RE.finditer(text)
    ]
    return [f for f in found if not _only_capitalised_stopwords(text[f.start : f.end])]


def _only_capitalised_stopwords(span: str) -> bool:
    first = span.split()[0] if span.split() else ""
    return first.lower() in {"schaal", "periode", "week", "dag", "uur", "jaar"}


def _date_parts(m: re.Match[str]) -> tuple[int, int, int] | None:
    months = {
        name: i
        for i, names in enumerate(
            [
                ("januari", "jan"),
                ("februari", "feb"),
                ("maart", "mrt"),
                ("april", "apr"),
                ("mei",),
                ("juni", "jun"),
                ("juli", "jul"),
                ("augustus", "aug"),
                ("september", "sep", "sept"),
                ("oktober", "okt"),
                ("november", "nov"),
                ("december", "dec"),
            ],
            start=1,
        )
        for name in names
    }
    try:
        if m.group("d1"):
            day, month, year_raw = int(m.group("d1")), int(m.group("m1")), m.group("y1")
        elif m.group("y2"):
            day, month, year_raw = int(m.group("d2")), int(m.group("m2")), m.group("y2")
        else:
            day, month = int(m.group("d3")), months[m.group("m3").lower()]
            year_raw = m.group("y3")
        year_raw = year_raw.lstrip("'")
        year = int(year_raw)
        if len(year_raw) == 2:
            year += 1900 if year > date.today().year % 100 else 2000
        date(year, month, day)
    except (ValueError, KeyError):
        return None
    return day, month, year


def find_birth_dates(text: str, today: date | None = None) -> list[Finding]:
    """Full dates that are a date of birth.

    Rule: a complete date (day, month, year) counts when a birth word ("geboren", "geb.",
    "geboortedatum", "jarig", "ik ben van") stands within 40 characters before it, or when it
    lies 16 to 100 years in the past: in this domain such an exact old date is a birth date or
    just as identifying (the day someone started). Years alone and recent dates are kept.
    """
    today = today or date.today()
    found = []
    for m in _DATE_RE.finditer(text):
        parts = _date_parts(m)
        if parts is None:
            continue
        _, _, year = parts
        window = text[max(0, m.start() - 40) : m.start()]
        in_context = _BIRTH_CONTEXT_RE.search(window) is not None
        if in_context or today.year - 100 <= year <= today.year - 16:
            found.append(Finding(PiiType.GEBOORTEDATUM, m.start(), m.end()))
    return found


@lru_cache(maxsize=8)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def find_employee_numbers(text: str, pattern: str | None = None) -> list[Finding]:
    """Employee numbers: the configured pattern, and any code after "personeelsnummer" & co."""
    found = [
        Finding(PiiType.PERSONEELSNUMMER, m.start(1), m.end(1))
        for m in _EMPLOYEE_CONTEXT_RE.finditer(text)
    ]
    if pattern:
        found += [
            Finding(PiiType.PERSONEELSNUMMER, m.start(), m.end())
            for m in _compiled(pattern).finditer(text)
        ]
    return found


Detector = Callable[[str], list[Finding]]


def pattern_detectors(employee_number_pattern: str | None) -> tuple[Detector, ...]:
    """Every shape detector, with the employee-number pattern bound in."""

    def employee_numbers(text: str) -> list[Finding]:
        return find_employee_numbers(text, employee_number_pattern)

    return (
        find_emails,
        find_urls,
        find_ips,
        find_ibans,
        find_bsns,
        find_phones,
        employee_numbers,
        find_birth_dates,
        find_postcodes,
        find_addresses,
    )


def find_patterns(text: str, employee_number_pattern: str | None = None) -> list[Finding]:
    """All shape findings in ``text``, unmerged (see :func:`merge_findings`)."""
    found: list[Finding] = []
    for detector in pattern_detectors(employee_number_pattern):
        found.extend(detector(text))
    return found


def merge_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Sorted, non-overlapping findings: overlapping spans are joined into one, typed by
    :data:`PRIORITY` (an e-mail address wins over the name inside it)."""
    rank = {kind: i for i, kind in enumerate(PRIORITY)}
    merged: list[Finding] = []
    for f in sorted(findings, key=lambda f: (f.start, -f.end)):
        if f.end <= f.start:
            continue
        if merged and f.start < merged[-1].end:
            last = merged[-1]
            kind = last.kind if rank[last.kind] <= rank[f.kind] else f.kind
            source = last.source if kind == last.kind else f.source
            merged[-1] = Finding(kind, last.start, max(last.end, f.end), source)
        else:
            merged.append(f)
    return merged
