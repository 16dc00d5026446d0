"""Dutch texts of the Teams channel and the Teams app package (B1, informal "je").

Checked by tests/test_readability.py. The channel sends these itself, without asking Rasa,
for input Rasa should never see (files, very long messages).
"""

from __future__ import annotations

ATTACHMENT_ONLY = (
    "Ik kan alleen tekst lezen. Bestanden en plaatjes open ik niet. " "Typ je vraag in een bericht."
)
TOO_LONG = (
    "Je bericht is te lang voor mij. Ik lees berichten tot {limit} tekens. "
    "Wil je het korter zeggen? Een paar zinnen is genoeg."
)

# The Teams app package (manifest.json). Teams limits: short name 30, full name 100,
# short description 80, full description 4000 characters.
APP_SHORT_NAME = "Koers"
APP_FULL_NAME = "Koers: jouw loopbaan bij de gemeente"
APP_SHORT_DESCRIPTION = "Denk anoniem na over je werk en je loopbaan bij de gemeente."
APP_FULL_DESCRIPTION = (
    "Koers is een chat voor medewerkers van gemeenten. "
    "Je doet een korte talentscan en krijgt tips voor je volgende stap. "
    "Je kunt een gesprek met een loopbaancoach plannen. "
    "Je kunt ook een voucher van 375 euro vragen voor een workshop. "
    "Het gesprek is anoniem. Je leidinggevende ziet niets van wat je typt."
)
COMMANDS = (
    ("hoi", "Kennismaken met Koers"),
    ("ik wil de scan doen", "Start de talentscan"),
    ("welke workshops zijn er?", "Bekijk de workshops en de voucher"),
    ("is dit anoniem?", "Lees hoe je privacy werkt"),
)
