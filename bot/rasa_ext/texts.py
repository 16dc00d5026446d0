"""Dutch texts Koers sends when part of the system is down (checked by test_readability)."""

ACTION_UNAVAILABLE = (
    "Sorry, dat lukt me nu even niet. Een deel van Koers werkt op dit moment niet. "
    "Probeer het over een paar minuten nog eens. Je gesprek blijft bewaard."
)
SERVICE_UNAVAILABLE = (
    "Sorry, er ging bij ons iets mis. Je bericht is niet goed aangekomen. "
    "Probeer het over een paar minuten opnieuw."
)
TOO_MANY_AT_ONCE = (
    "Je stuurt veel berichten snel achter elkaar. Wacht even op mijn antwoord. "
    "Stuur daarna je volgende bericht."
)
