"""Name finding: NER plus the Dutch rules, and the career vocabulary that is never a name."""

from __future__ import annotations

import subprocess
import sys

import pytest

from bot.config import PROJECT_ROOT
from bot.privacy.names import find_names


def names(text: str, use_ner: bool = True) -> list[str]:
    return [text[f.start : f.end] for f in find_names(text, use_ner=use_ner)]


@pytest.mark.parametrize(
    "text,expected",
    [
        ("Mijn leidinggevende Fatima El Amrani vindt dat.", ["Fatima El Amrani"]),
        ("Mijn teamleider Ruud van den Berg-Kamerbeek is streng.", ["Ruud van den Berg-Kamerbeek"]),
        ("Mevrouw De Vries belde.", ["De Vries"]),
        ("Dhr. J.P. van Dam van HR zei nee.", ["J.P. van Dam"]),
        ("Ik heb met drs. W. Kuiper gesproken.", ["W. Kuiper"]),
        ("Ik heet priya ramdin en werk bij de Buitendienst", ["priya ramdin"]),
        ("mijn collega mohamed zei het", ["mohamed"]),
        ("heb met fatima el amrani gesproken", ["fatima el amrani"]),
        ("Mijn collega Jurriën ter Haar is adviseur.", ["Jurriën ter Haar"]),
        ("Groetjes, Anouk", ["Anouk"]),
        ("Mijn collega's Wendy, Sultan en Kees gaan mee.", ["Wendy", "Sultan", "Kees"]),
        ("Lex vindt het goed dat ik ga.", ["Lex"]),
        ("Ik ben Hiltsje Wijnstra, 61 jaar.", ["Hiltsje Wijnstra"]),
        ("Mijn teamleider, mevrouw Ait Taleb, vindt van niet.", ["Ait Taleb"]),
    ],
)
def test_names_found(text: str, expected: list[str]) -> None:
    found = names(text)
    for name in expected:
        assert any(name in f for f in found), (name, found)


@pytest.mark.parametrize(
    "text",
    [
        "Kan ik van Burgerzaken naar Werk en Inkomen overstappen?",
        "Ik werk bij DIV en wil naar Jeugdzorg of het KCC.",
        "Wat doet een P&O-adviseur bij de Wmo?",
        "Ik zit in de Buitendienst bij Groenvoorziening.",
        "Ik werk bij de gemeente Súdwest-Fryslân op Publiekszaken.",
        "Ben je al bij de OR geweest? Mark het in je agenda.",
        "Ik wil een EVC-traject en mijn POP bespreken.",
        "Hoe werkt de TalentSpiegel of de Ontwikkelscan?",
        "De gemeente Utrecht heeft een loopbaanbudget.",
        "Ik spreek Nederlands, Turks en Frans.",
        "ik wil graag iets met mensen doen maar ik weet niet wat",
    ],
)
def test_career_vocabulary_is_not_a_name(text: str) -> None:
    assert names(text) == []


def test_rules_work_without_ner() -> None:
    assert names("Mijn collega Fatima El Amrani belde", use_ner=False) == ["Fatima El Amrani"]


def test_no_model_is_loaded_at_import() -> None:
    code = (
        "import sys; import bot.privacy, bot.privacy.names, bot.privacy.scrubber, "
        "bot.privacy.logging, bot.privacy.pseudonym, bot.privacy.retention; "
        "from bot.privacy import names; "
        "assert not names._NLP, 'model loaded'; assert 'spacy' not in sys.modules, 'spacy'"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]


# Issue 14: names at the start of a sentence, without any context word, of every origin.
SENTENCE_INITIAL = {
    "frisian": ("Wytse Hiemstra van de buitendienst raadde me deze scan aan", "Wytse Hiemstra"),
    "moroccan": ("Ouassima Azzouzi werkt ook bij Burgerzaken en wil weg", "Ouassima Azzouzi"),
    "turkish": ("Batuhan Korkmaz twijfelt of hij moet blijven", "Batuhan Korkmaz"),
    "surinamese": ("Marjorie Wijngaarde wil ook weten wat zij waard is", "Marjorie Wijngaarde"),
    "antillean": ("Shurandy Rosaria wil ook een afspraak met een coach", "Shurandy Rosaria"),
    "polish": ("Grzegorz Lewandowski wil graag met pensioen", "Grzegorz Lewandowski"),
}


@pytest.mark.parametrize("origin", sorted(SENTENCE_INITIAL))
def test_sentence_initial_names_of_every_origin(origin: str) -> None:
    text, name = SENTENCE_INITIAL[origin]
    assert name in names(text), (origin, names(text))
    assert name in names(text, use_ner=False), "the rules alone find it (logs use no NER)"


@pytest.mark.parametrize(
    "text,expected",
    [
        ("Zoltan Kovács kwam gisteren langs.", "Zoltan Kovács"),  # on no list
        ("Ik heb het met Hiemstra over mijn functie gehad.", "Hiemstra"),  # listed surname
        ("Kawtar El Idrissi heeft al een coach gehad.", "Kawtar El Idrissi"),
        ("Gisteren zei Sutrisno Kartosen dat het kon.", "Sutrisno Kartosen"),
    ],
)
def test_names_without_context_words(text: str, expected: str) -> None:
    assert any(expected in f for f in names(text)), names(text)


@pytest.mark.parametrize(
    "text",
    [
        "Werk en Inkomen heeft een nieuwe teamleider gekregen.",
        "Burgerzaken Zaanstad zoekt mensen voor de balie.",
        "Buitendienst Leeuwarden begint om zeven uur.",
        "DIV Almere gaat over naar zaakgericht werken.",
        "Maatschappelijke Ondersteuning is een zware afdeling.",
        "Digitale Vaardigheden is een workshop die ik wil volgen.",
        "Noord Holland is mijn regio.",
        "Sint Maarten hoort ook bij het koninkrijk.",
        "GM9901 is de code van mijn gemeente.",
        "Team Vergunningen krijgt er werk bij.",
        "Baas in eigen loopbaan klinkt goed.",
    ],
)
def test_capitalised_career_words_and_places_are_not_name_pairs(text: str) -> None:
    assert names(text) == []


def test_toponymic_surnames_keep_their_place_word() -> None:
    assert "Jeroen van den Bosch" in names("Jeroen van den Bosch zei het.")
    assert "Kees van Tiel" in names("Hoi, Kees van Tiel hier.")
