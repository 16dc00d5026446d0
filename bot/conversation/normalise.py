"""Normalise how employees type before the NLU reads a message.

Employees shout ("IK WIL DE SCNA DOEN!!!!"), stretch words ("scaaaan", "jaaaa"), make typos
("vocher", "coatch", "leidinggevnde") and open with a filler ("ok dan doe ik de scan"). The
classifier learnt from tidy examples, so these messages were misread in the walkthrough of
2026-12-01. This module gives the NLU a tidied copy; the original text stays what actions read
(bot.rasa_ext.nlu restores it), so a slot answer is never changed.

Typos are only corrected towards a short list of product words, and only for words the
training data never used (``known``), so an ordinary Dutch word is not "corrected".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from collections.abc import Set as AbstractSet

from rapidfuzz import process
from rapidfuzz.distance import OSA

# Product words that employees misspell; typos are corrected towards these only.
PRODUCT_WORDS: frozenset[str] = frozenset(
    {
        "scan",
        "talentscan",
        "loopbaanscan",
        "voucher",
        "coach",
        "loopbaancoach",
        "leidinggevende",
        "workshop",
        "workshops",
        "afspraak",
        "gesprek",
        "jaargesprek",
        "functioneringsgesprek",
        "ontwikkelgesprek",
        "beoordelingsgesprek",
        "loopbaan",
        "loopbaangesprek",
        "teamleider",
        "afdelingshoofd",
        "opleiding",
        "cursus",
        "privacy",
        "reorganisatie",
        "mobiliteit",
        "generatiepact",
        "boventallig",
        "vertrouwenspersoon",
        "bedrijfsarts",
        "personeelszaken",
        "leidinggevenden",
        "talenten",
        "vragen",
        "verzetten",
        "afzeggen",
        "annuleren",
        "voorbereiden",
        # erasing is a right: "wis mijn gegevns" must reach the erasure request
        "gegevens",
        "verwijderen",
    }
)

# Openings that carry no request of their own ("ok dan doe ik de scan"). Only dropped when
# enough words follow, so a bare "ok" or "ja maar waarom" keeps its meaning.
FILLER_OPENINGS: tuple[str, ...] = (
    "ja maar",
    "nou ja",
    "nouja",
    "oké",
    "okee",
    "oke",
    "ok",
    "okay",
    "nou",
)
MIN_WORDS_AFTER_FILLER = 3

_WORD = re.compile(r"[^\W\d_]+")
_TOKEN = re.compile(r"\S+")
_LETTER_RUN = re.compile(r"([^\W\d_])\1{2,}")
_PUNCTUATION_RUN = re.compile(r"([!?])[!?]+")
_FILLER = re.compile(
    r"^\s*(?:" + "|".join(re.escape(f) for f in FILLER_OPENINGS) + r")\b[\s,.!]*",
    re.IGNORECASE,
)
MIN_SHOUTING_LETTERS = 4
SHOUTING_SHARE = 0.8
MIN_TYPO_LENGTH = 4
LONG_WORD = 9


def is_shouting(text: str) -> bool:
    """Mostly capitals over a few letters: shouting, not an abbreviation such as "HR".

    Words with a digit (a voucher or booking code) do not count: a code alone is no shout.
    """
    letters = [
        c for token in _TOKEN.findall(text) if not _has_digit(token) for c in token if c.isalpha()
    ]
    if len(letters) < MIN_SHOUTING_LETTERS:
        return False
    return sum(c.isupper() for c in letters) / len(letters) >= SHOUTING_SHARE


def _has_digit(token: str) -> bool:
    return any(c.isdigit() for c in token)


def lower_shouting(text: str) -> str:
    """Shouted text in lower case; codes (words with a digit) keep their capitals."""
    return _TOKEN.sub(lambda m: m.group(0) if _has_digit(m.group(0)) else m.group(0).lower(), text)


def collapse_repeats(word: str, known: AbstractSet[str]) -> str:
    """A run of 3+ letters becomes the known form: "scaaaan" -> "scan", "neeee" -> "nee"."""
    if not _LETTER_RUN.search(word) or word.lower() in known:
        return word
    once = _LETTER_RUN.sub(r"\1", word)
    twice = _LETTER_RUN.sub(r"\1\1", word)
    for candidate in (once, twice):
        if candidate.lower() in known or candidate.lower() in PRODUCT_WORDS:
            return candidate
    return twice


def correct_typo(word: str, known: AbstractSet[str]) -> str:
    """An unknown word one edit (two for long words) from a product word becomes that word."""
    lower = word.lower()
    if len(lower) < MIN_TYPO_LENGTH or lower in known or lower in PRODUCT_WORDS:
        return word
    limit = 1 if len(lower) < LONG_WORD else 2
    match = process.extractOne(lower, PRODUCT_WORDS, scorer=OSA.distance, score_cutoff=limit)
    if match is None or match[0][0] != lower[0]:
        return word
    return str(match[0])


def drop_filler_opening(text: str) -> str:
    """Drop "ok", "nou", "ja maar" at the start when a real request follows."""
    match = _FILLER.match(text)
    if match is None:
        return text
    rest = text[match.end() :]
    if len(_WORD.findall(rest)) < MIN_WORDS_AFTER_FILLER:
        return text
    return rest


def _tidy_token(token: str, known: AbstractSet[str]) -> str:
    """Repeats and typos fixed in the words of one token; a code (with a digit) is kept."""
    if _has_digit(token):
        return token
    return _WORD.sub(lambda m: correct_typo(collapse_repeats(m.group(0), known), known), token)


def normalise_for_nlu(text: str, known: AbstractSet[str] = frozenset()) -> str:
    """The tidied copy of a message that the classifier reads; button payloads stay as sent."""
    if not text or text.lstrip().startswith("/"):
        return text
    tidy = lower_shouting(text) if is_shouting(text) else text
    tidy = _PUNCTUATION_RUN.sub(r"\1", tidy)
    tidy = _TOKEN.sub(lambda m: _tidy_token(m.group(0), known), tidy)
    return drop_filler_opening(tidy)


def vocabulary(texts: Iterable[str]) -> frozenset[str]:
    """The lower-case words of the training examples: words never corrected as typos."""
    return frozenset(word.lower() for text in texts for word in _WORD.findall(text or ""))
