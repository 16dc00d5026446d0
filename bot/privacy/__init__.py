"""Koers's privacy core: scrubbing personal data before storage, pseudonymous conversation ids,
log hygiene, retention and erasure. See docs/privacy-tech.md.

Nothing heavy happens at import time: the spaCy model is loaded on the first scrub.
"""

from bot.privacy.detectors import Finding, PiiType
from bot.privacy.scrubber import REMOVED, ScrubResult, scrub_event, scrub_text, scrub_value

__all__ = [
    "REMOVED",
    "Finding",
    "PiiType",
    "ScrubResult",
    "scrub_event",
    "scrub_text",
    "scrub_value",
]
