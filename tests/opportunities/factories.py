"""Small builders for opportunity tests (pure values, no database)."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any

from bot.opportunities.facts import OpportunityFacts

NOW = datetime(2025, 3, 12, 10, 0, tzinfo=timezone.utc)
REGION = "rijk-van-nijmegen-test"
OTHER_REGION = "achterhoek-test"


def facts(**overrides: Any) -> OpportunityFacts:
    values: dict[str, Any] = dict(
        id=1,
        kind="vacature",
        title="Medewerker Burgerzaken (test)",
        description="Je helpt inwoners aan de balie.",
        municipality_code="GM9921",
        municipality_name="Gemeente Waalweide",
        region_code=REGION,
        region_name="Rijk van Nijmegen (test)",
        province="Gelderland",
        mode="on_location",
        contact="p&o@waalweide.example",
        published_at=NOW,
    )
    values.update(overrides)
    return OpportunityFacts(**values)


def sentences(text: str) -> list[str]:
    plain = re.sub(r"[*_`]", "", text)
    parts = re.split(r"(?<=[.!?:])\s+|\n+", plain)
    return [part.strip(" -") for part in parts if re.search(r"[A-Za-zÀ-ÿ]", part)]


def words(sentence: str) -> list[str]:
    return re.findall(r"[\wÀ-ÿ'’&@.-]+", sentence.lower())


def assert_plain_dutch(text: str, *, max_words: int = 25) -> None:
    """B1 shape: short sentences, informal je (never u/uw), no empty text."""
    found = sentences(text)
    assert found, text
    for sentence in found:
        assert len(words(sentence)) <= max_words, sentence
    assert not re.search(r"\b(u|uw|Uw|U)\b", text), text
