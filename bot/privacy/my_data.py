"""What Koers holds about this conversation, said in plain Dutch (the right to see your data).

Pure: the action reads the slots (and, for a verified employee, the voucher's status) into a
:class:`ConversationData` and this module says what it means and how to erase it. The texts
never repeat what the employee typed: they name kinds of data, not their content.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from bot.ledger.catalog import (
    VOUCHER_CANCELLED,
    VOUCHER_EXPIRED,
    VOUCHER_ISSUED,
    VOUCHER_REDEEMED,
    VOUCHER_RESERVED,
)

#: The voucher's status in the ledger, as a person would say it.
VOUCHER_STATUS_WORDS: Mapping[str, str] = MappingProxyType(
    {
        VOUCHER_ISSUED: "je hebt een voucher, nog niet gebruikt",
        VOUCHER_REDEEMED: "je voucher is gebruikt",
        VOUCHER_EXPIRED: "je voucher is verlopen",
        VOUCHER_CANCELLED: "je voucher is ingetrokken",
        VOUCHER_RESERVED: "je voucher is gereserveerd voor een workshop",
    }
)


@dataclass(frozen=True)
class ConversationData:
    """The kinds of data this conversation holds right now."""

    messages: int = 0
    scan_answers: int = 0
    scan_completed: bool = False
    preparation_answers: int = 0
    has_booking: bool = False
    voucher_status: str | None = None
    counts_in_trends: bool = True


COUNTING = "Je telt mee in de anonieme tellingen. Wil je dat niet? Typ dan: ik wil niet meetellen."


def _count(number: int, one: str, more: str) -> str:
    """ "1 bericht", "3 berichten": Dutch singular and plural."""
    return f"{number} {one if number == 1 else more}"


def _held(data: ConversationData) -> list[str]:
    """One line per kind of data the conversation holds."""
    held: list[str] = []
    if data.messages:
        messages = _count(data.messages, "bericht", "berichten")
        held.append(
            f"dit gesprek: {messages} van jou en mijn antwoorden. "
            "Namen en telefoonnummers haal ik eruit voordat ik iets bewaar"
        )
    if data.scan_completed:
        held.append("je antwoorden uit de talentscan en je uitslag")
    elif data.scan_answers:
        answers = _count(data.scan_answers, "antwoord", "antwoorden")
        held.append(f"{answers} uit de talentscan (nog niet af)")
    if data.preparation_answers:
        answers = _count(data.preparation_answers, "antwoord", "antwoorden")
        held.append(f"{answers} voor de voorbereiding van je gesprek")
    if data.has_booking:
        held.append("de koppeling tussen dit gesprek en je afspraak met de coach")
    if data.voucher_status:
        held.append(VOUCHER_STATUS_WORDS.get(data.voucher_status, "je voucher"))
    return held


def my_data_text(data: ConversationData) -> str:
    """The overview: what is held, whether the employee counts in the trends, how to erase."""
    held = _held(data)
    if held:
        listed = "\n".join(f"- {line}" for line in held)
        text = f"Dit bewaar ik nu van jou:\n{listed}\n"
    else:
        text = "Ik bewaar nu niets van jou.\n"
    if data.counts_in_trends:
        text += COUNTING + "\n"
    else:
        text += (
            "Je telt niet mee in de anonieme tellingen. Wil je weer meetellen? Zeg het gerust.\n"
        )
    text += (
        "Na 30 dagen zonder gesprek wis ik alles vanzelf. "
        "Wil je het nu wissen? Typ dan: wis mijn gegevens."
    )
    if data.voucher_status or data.has_booking:
        text += "\nEen voucher of afspraak blijft bestaan, ook als je het gesprek wist."
    return text


def remember_text(data: ConversationData) -> str:
    """The answer to "weet je nog hoe ik heet?": names are never kept; erased means gone."""
    if data.scan_answers or data.scan_completed or data.preparation_answers:
        return (
            "Nee, je naam weet ik niet. Namen haal ik weg voordat ik iets bewaar. "
            "Wel weet ik nog wat je in dit gesprek hebt ingevuld. "
            "Wil je zien wat dat is? Typ dan: wat bewaar je van mij."
        )
    return (
        "Nee. Ik weet niet hoe je heet en ik weet niets meer van wat je eerder vertelde. "
        "Namen haal ik altijd weg, en een gewist gesprek is echt weg."
    )


OPT_IN_DONE = (
    "Prima. Je telt vanaf nu weer mee in de anonieme tellingen. "
    "Coördinatoren zien alleen groepen van minstens 5 mensen, nooit wat jij typt."
)
ALREADY_COUNTING = (
    "Je telt al mee in de anonieme tellingen. Coördinatoren zien alleen groepen van "
    "minstens 5 mensen. Wil je niet meetellen? Typ dan: ik wil niet meetellen."
)
