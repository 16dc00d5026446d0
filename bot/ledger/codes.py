"""Voucher and booking codes: random, easy to read aloud, with a check character.

The alphabet has 31 symbols (prime) and leaves out the look-alikes 0/O, 1/I/L. The check
character is a position-weighted sum modulo 31, which catches every single wrong character
and every swap of two characters, so a typo is told apart from an unknown code without a
database look-up. Codes come from :mod:`secrets`: they cannot be guessed or enumerated.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from enum import Enum

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
_INDEX = {char: index for index, char in enumerate(ALPHABET)}
_MODULUS = len(ALPHABET)  # 31, a prime

#: 15 random symbols (about 74 bits) + check, shown as four groups of four.
VOUCHER_BODY_LENGTH = 15
#: 9 random symbols (about 45 bits) + check, shown as two groups of five.
BOOKING_BODY_LENGTH = 9

#: Lengths of complete codes (voucher, booking), without separators.
CODE_LENGTHS = (VOUCHER_BODY_LENGTH + 1, BOOKING_BODY_LENGTH + 1)

#: Different kinds get different check characters, so a booking code is never a voucher code
#: and a workshop sign-up code ("signup", as long as a booking code) is never a booking code.
_KIND_SALT = {"voucher": 7, "booking": 13, "signup": 19}

_SEPARATORS = re.compile(r"[\s\-_.]+")
_WORD = re.compile(r"[0-9A-Za-z][0-9A-Za-z\-]*[0-9A-Za-z]|[0-9A-Za-z]")
#: Most codes are typed as groups separated by spaces: "K7QM 4TXR 9HPB 2CW5".
_MAX_GROUPS = 4


class CodeProblem(str, Enum):
    OK = "ok"
    EMPTY = "empty"
    WRONG_LENGTH = "wrong_length"
    BAD_CHARACTER = "bad_character"
    CHECK_MISMATCH = "check_mismatch"


@dataclass(frozen=True)
class CodeCheck:
    problem: CodeProblem
    #: Upper-case code without separators (also when invalid, for messages).
    normalized: str
    #: The characters that can never be in a code (0, O, 1, I, L ...), in order of appearance.
    bad_characters: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.problem is CodeProblem.OK


def check_character(body: str, kind: str = "voucher") -> str:
    """The check symbol for ``body`` (already normalised, only alphabet symbols)."""
    total = _KIND_SALT[kind]
    for position, char in enumerate(body, start=1):
        total += position * _INDEX[char]
    return ALPHABET[total % _MODULUS]


def _body_length(kind: str) -> int:
    return VOUCHER_BODY_LENGTH if kind == "voucher" else BOOKING_BODY_LENGTH


def code_length(kind: str) -> int:
    return _body_length(kind) + 1


def new_code(kind: str = "voucher") -> str:
    """A fresh random code of ``kind`` ("voucher" or "booking"), normalised (no dashes)."""
    body = "".join(secrets.choice(ALPHABET) for _ in range(_body_length(kind)))
    return body + check_character(body, kind)


def normalize(raw: str) -> str:
    return _SEPARATORS.sub("", raw or "").upper()


def check_code(raw: str, kind: str = "voucher") -> CodeCheck:
    """Says whether ``raw`` is a well-formed code of ``kind`` and, if not, what is wrong."""
    code = normalize(raw)
    if not code:
        return CodeCheck(CodeProblem.EMPTY, code)
    bad = tuple(dict.fromkeys(char for char in code if char not in _INDEX))
    if bad:
        return CodeCheck(CodeProblem.BAD_CHARACTER, code, bad)
    if len(code) != _body_length(kind) + 1:
        return CodeCheck(CodeProblem.WRONG_LENGTH, code)
    if check_character(code[:-1], kind) != code[-1]:
        return CodeCheck(CodeProblem.CHECK_MISMATCH, code)
    return CodeCheck(CodeProblem.OK, code)


def format_code(code: str) -> str:
    """Groups a normalised code for display: ABCD-EFGH-JKMN-PQRS or ABCDE-FGHJK."""
    code = normalize(code)
    size = 5 if len(code) == BOOKING_BODY_LENGTH + 1 else 4
    return "-".join(code[i : i + size] for i in range(0, len(code), size))


def _looks_like_code(word: str) -> bool:
    """Ordinary words are lower case without digits; codes have digits or capitals."""
    return any(char.isdigit() for char in word) or (word.isupper() and len(word) > 1)


def find_code_candidates(text: str, length: int, *, lenient: bool = False) -> list[str]:
    """Pieces of a chat message that could be a code of ``length`` symbols, best first.

    A piece is one word ("K7QM-4TXR-9HPB-2CW5", "k7qm4txr9hpb2cw5") or up to four words of
    four or five symbols each ("K7QM 4TXR 9HPB 2CW5"); pieces that look like code come first.
    """
    words = _WORD.findall(text or "")
    scored: list[tuple[int, int, str]] = []
    for start in range(len(words)):
        for size in range(1, _MAX_GROUPS + 1):
            window = words[start : start + size]
            if len(window) < size:
                break
            if size > 1 and any(len(word) not in (4, 5) for word in window):
                break
            if len(normalize("".join(window))) != length:
                continue
            code_like = sum(_looks_like_code(word) for word in window)
            if code_like == 0 and not (lenient and size == 1):
                continue
            scored.append((-code_like * 10 // size, start, " ".join(window)))
    return [piece for _score, _start, piece in sorted(scored)]


def find_code(text: str, kind: str, *, lenient: bool = False) -> CodeCheck | None:
    """The best code of ``kind`` in a message: a valid one if any, else the closest try.

    Returns ``None`` when nothing in the text looks like a code of that length. ``lenient``
    (used right after asking for a code) also accepts a lower-case word without digits.
    """
    candidates = find_code_candidates(text, code_length(kind), lenient=lenient)
    tries = [check_code(piece, kind) for piece in candidates]
    if not tries:
        return None
    return next((attempt for attempt in tries if attempt.ok), tries[0])
