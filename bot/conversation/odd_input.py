"""Recognise messages that are not a normal Dutch chat message.

Empty text, only emoji, markup or script, very long text and other languages get their own
friendly Dutch answer instead of a wild guess by the classifier.
"""

from __future__ import annotations

import enum
import re
import unicodedata

MAX_MESSAGE_CHARS = 1500


class OddInput(str, enum.Enum):
    EMPTY = "empty"
    TOO_LONG = "too_long"
    MARKUP = "markup"
    NO_WORDS = "no_words"
    OTHER_LANGUAGE = "other_language"


_TAG = re.compile(r"<\s*/?\s*[a-zA-Z][^>]*>")
_SCRIPTY = re.compile(r"<\s*script|javascript:|on\w+\s*=|<\s*iframe|<\s*img", re.IGNORECASE)
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)

_DUTCH = frozenset(
    """ik je jij u we wij ze zij hij het de een en of maar niet wel geen is ben bent zijn was
    heb hebt heeft hebben wil wilt kan kun kunt mag moet mijn mij me jouw jullie ons onze wat
    hoe waar wie waarom wanneer welke met van voor naar op in aan bij over om dat dit die deze
    er ook nog al dan als zo heel graag hoi hallo doei dank bedankt ja nee oke goed prima
    werk baan scan coach gesprek leidinggevende gemeente""".split()
)
_FOREIGN = frozenset(
    """the and you your is are was what how can could would should please my me i with for
    this that have has not do does want need job work help der die das und ich nicht ist
    sie wir mit für ein eine le la les et je suis vous est pas une des el los las y que es
    por para una ben bir ve bu ne mi var yok için""".split()
)
# Words that exist in Dutch too and say nothing about the language.
_SHARED = _DUTCH & _FOREIGN


def _is_emoji_or_symbol(ch: str) -> bool:
    category = unicodedata.category(ch)
    return category.startswith("S") or category in {"Cs", "Co", "Mn", "Me", "Cf"}


def _non_latin_letters(text: str) -> float:
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return 0.0
    non_latin = sum(1 for ch in letters if "LATIN" not in unicodedata.name(ch, "LATIN"))
    return non_latin / len(letters)


def classify_odd_input(text: str | None) -> OddInput | None:
    """Return why a message is odd, or ``None`` for a normal message."""
    if text is None or not text.strip():
        return OddInput.EMPTY
    stripped = text.strip()
    if len(stripped) > MAX_MESSAGE_CHARS:
        return OddInput.TOO_LONG
    if _SCRIPTY.search(stripped) or _TAG.search(stripped):
        return OddInput.MARKUP
    if stripped.startswith("/"):
        return None  # button payload, handled by Rasa
    words = [w.lower() for w in _WORD.findall(stripped)]
    if not words:
        if any(ch.isdigit() for ch in stripped):
            return None  # "4" is a valid scan answer
        if all(_is_emoji_or_symbol(ch) or ch.isspace() or not ch.isalnum() for ch in stripped):
            return OddInput.NO_WORDS
        return None
    if _non_latin_letters(stripped) > 0.5:
        return OddInput.OTHER_LANGUAGE
    if len(words) >= 3:
        dutch = sum(1 for w in words if w in _DUTCH and w not in _SHARED)
        foreign = sum(1 for w in words if w in _FOREIGN and w not in _SHARED)
        if dutch == 0 and foreign >= 2:
            return OddInput.OTHER_LANGUAGE
    return None
