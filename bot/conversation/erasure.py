"""A plain request to erase, read from the words when NLU took it for something harmless.

"ok fijn. wis mijn gegevns dan maar" was read as goodbye (walkthrough of 2026-12-03): Koers
said "Tot ziens!" and the employee thought everything was gone. Erasing is a right that must
never be lost to a typo or a "dan maar" at the end. This guard only turns a message into the
erasure request when its words say so (an erase verb and what to erase, no "niet") and NLU
chose an intent that does nothing (goodbye, stop, thanks, a greeting, out of scope, the
fallback). Koers then asks first ("Wil je dat ik dit hele gesprek wis?"), so a wrong guess
costs one "nee". Pure: text and intent in, a yes or no out.
"""

from __future__ import annotations

import re

from rapidfuzz.distance import OSA

#: Intents an erasure request must not be lost to; any other reading (a privacy question,
#: "ja" at the confirmation, starting the scan over) is left alone.
OVERRIDABLE_INTENTS: frozenset[str] = frozenset(
    {"goodbye", "stop", "thank", "greet", "out_of_scope", "nlu_fallback"}
)
_VERBS = frozenset({"wis", "wist", "wissen", "verwijder", "verwijderen", "delete", "deleten"})
_OBJECTS = frozenset(
    {"gegevens", "data", "alles", "gesprek", "geschiedenis", "chat", "antwoorden", "info"}
)
#: Long words that employees misspell ("gegevns", "verwijdr"): one edit away still counts.
_FUZZY = frozenset({"gegevens", "verwijder", "verwijderen", "geschiedenis"})
_NOT = re.compile(r"\b(?:niet|geen|nooit|opnieuw|overnieuw|scan)\b", re.IGNORECASE)
_WORD = re.compile(r"[^\W\d_]+")


def _is(word: str, wanted: frozenset[str]) -> bool:
    if word in wanted:
        return True
    return len(word) >= 6 and any(
        target in wanted and OSA.distance(word, target) <= 1 for target in _FUZZY
    )


#: Sentences and clauses: "nee stop, ik vertrouw het toch niet. wis mijn gegevns dan maar"
#: negates the trust, not the erasing (walkthrough of 2026-12-03, third round).
_CLAUSE = re.compile(r"[.!?;]+|,\s*(?=(?:en\s+)?(?:wis|verwijder|delete)\b)", re.IGNORECASE)


def asks_erasure(text: str) -> bool:
    """The words ask to erase: a sentence with an erase verb and something to erase, and
    nothing negated in that sentence."""
    if not text or text.lstrip().startswith("/"):
        return False
    for clause in _CLAUSE.split(text):
        if _NOT.search(clause):
            continue
        words = [word.lower() for word in _WORD.findall(clause)]
        if any(_is(w, _VERBS) for w in words) and any(_is(w, _OBJECTS) for w in words):
            return True
    return False


def erasure_meant(text: str, intent: str | None) -> bool:
    """True when NLU's harmless reading of ``text`` must become the erasure request."""
    return (intent or "nlu_fallback") in OVERRIDABLE_INTENTS and asks_erasure(text)
