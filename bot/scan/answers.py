"""Map a free-text answer to the five-point scale.

Employees answer the way they talk ("best wel", "nee hoor", "4", "soms"), so the parser looks
for the longest known phrase in the message. The scale runs from 1 (klopt helemaal niet) to
5 (klopt helemaal). Anything it cannot map returns ``None`` and the bot asks again.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from types import MappingProxyType

from bot.scan.questions import SCALE_LABELS

_PHRASES: dict[int, tuple[str, ...]] = {
    5: (
        "klopt helemaal",
        "helemaal mee eens",
        "helemaal waar",
        "helemaal eens",
        "zeker weten",
        "absoluut",
        "zeker",
        "jazeker",
        "ja zeker",
        "heel erg",
        "heel vaak",
        "enorm",
        "altijd",
        "volledig",
        "volkomen",
        "totaal mee eens",
        "100",
        "honderd procent",
        "precies",
        "zeer",
        "heel veel",
        "ja absoluut",
        "ja echt",
        "echt wel",
        "nou en of",
        "zeer zeker",
    ),
    4: (
        "klopt wel",
        "best wel",
        "bestwel",
        "redelijk",
        "vaak",
        "ja",
        "ja hoor",
        "jawel",
        "wel",
        "meestal",
        "grotendeels",
        "mee eens",
        "eens",
        "klopt",
        "aardig",
        "behoorlijk",
        "tamelijk",
        "jup",
        "jep",
        "yes",
        "ja best",
        "vrij veel",
        "ja wel",
        "klopt redelijk",
        "wel een beetje veel",
        "dat wel",
        "ik denk het wel",
        "denk het wel",
        "ja eigenlijk wel",
    ),
    3: (
        "soms",
        "een beetje",
        "beetje",
        "neutraal",
        "gemiddeld",
        "half",
        "deels",
        "gedeeltelijk",
        "misschien",
        "weet niet",
        "weet ik niet",
        "geen idee",
        "twijfel",
        "af en toe",
        "kan zijn",
        "mwah",
        "tja",
        "zo zo",
        "zozo",
        "niet helemaal",
        "soms wel soms niet",
        "midden",
        "middel",
        "hangt ervan af",
        "hangt er vanaf",
        "wisselend",
        "zowel als",
        "ergens wel",
        "een klein beetje",
        "soort van",
    ),
    2: (
        "klopt niet zo",
        "niet echt",
        "niet zo",
        "weinig",
        "nauwelijks",
        "zelden",
        "nee",
        "nee hoor",
        "niet vaak",
        "eigenlijk niet",
        "niet zo erg",
        "niet heel erg",
        "niet zoveel",
        "niet veel",
        "denk het niet",
        "ik denk het niet",
        "nee niet echt",
        "amper",
        "nope",
        "mwa niet echt",
        "minder",
    ),
    1: (
        "klopt helemaal niet",
        "helemaal niet",
        "totaal niet",
        "nooit",
        "absoluut niet",
        "zeker niet",
        "echt niet",
        "niet",
        "nul",
        "oneens",
        "helemaal oneens",
        "helemaal nee",
        "nee helemaal niet",
        "totaal oneens",
        "geen enkele",
        "never",
        "nee nooit",
        "niks",
        "nee echt niet",
        "in geen geval",
    ),
}

_NUMBER_WORDS: Mapping[str, int] = MappingProxyType(
    {"een": 1, "één": 1, "twee": 2, "drie": 3, "vier": 4, "vijf": 5}
)

#: (phrase, value) sorted longest first, so "helemaal niet" wins over "niet".
_PHRASE_TABLE: tuple[tuple[str, int], ...] = tuple(
    sorted(
        ((phrase, value) for value, phrases in _PHRASES.items() for phrase in phrases),
        key=lambda item: (-len(item[0]), item[0]),
    )
)
_LABELS = {label.lower(): index + 1 for index, label in enumerate(SCALE_LABELS)}
_DIGIT = re.compile(r"(?<![\d.,])([1-5])(?![\d.,])")
_OUT_OF_FIVE = re.compile(r"(?<![\d.,])([1-5])\s*(?:/|van|uit|op)\s*5(?![\d.,])")
_MAX_ANSWER_CHARS = 300


def normalise(text: str) -> str:
    """Lowercase, fold accents and keep only letters, digits and single spaces."""
    folded = unicodedata.normalize("NFKD", text.lower())
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    folded = re.sub(r"[^a-z0-9%]+", " ", folded)
    return re.sub(r"\s+", " ", folded).strip()


def parse_scale_answer(text: str | None) -> int | None:
    """Return 1-5 for an answer on the scale, or ``None`` if it is not one."""
    if not text or len(text) > _MAX_ANSWER_CHARS or text.lstrip().startswith("/"):
        return None
    out_of_five = _OUT_OF_FIVE.search(text.lower())
    if out_of_five:
        return int(out_of_five.group(1))
    plain = normalise(text)
    if not plain:
        return None
    if plain in _LABELS:
        return _LABELS[plain]
    words = plain.split()
    if len(words) == 1 and words[0] in _NUMBER_WORDS:
        return _NUMBER_WORDS[words[0]]
    digits = set(_DIGIT.findall(plain))
    if len(digits) == 1 and len(words) <= 4:
        return int(digits.pop())
    padded = f" {plain} "
    for phrase, value in _PHRASE_TABLE:
        if f" {phrase} " in padded:
            return value
    return None
