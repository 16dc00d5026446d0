"""Finding names of people in Dutch chat text: spaCy NER plus rules that know Dutch names.

Why rules on top of NER: the small Dutch model misses lower-case names ("mijn collega fatima"),
cuts names with particles ("El Amrani", "van den Berg-Kamerbeek") and takes department names
for people ("Jeugdzorg"). The rules add names after titles (meneer, mevrouw, dhr., drs.), after
context words ("mijn collega", "mijn leidinggevende", "ik heet"), first names from a list, and
extend every name over Dutch, Arabic and Turkish particles. Names without any context word
are found as capitalised pairs: one half on the first-name or surname lists of
:mod:`bot.privacy.name_lists` (Dutch, Frisian, Moroccan, Turkish, Surinamese, Antillean,
Polish) or with a surname ending ("-stra", "-ski"), or, at the start of a sentence, two
capitalised words that are neither Dutch words nor known places, departments or products.
An allow-list of career vocabulary and departments is never a name. Place names are never
turned into a name: municipality names are employer context and are kept (see
docs/privacy-tech.md).

The spaCy model is loaded lazily, once per process (:func:`get_nlp`), never at import time.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from bot.config import load_settings
from bot.privacy.detectors import Finding, PiiType
from bot.privacy.name_lists import (
    DUTCH_WORD_SUFFIXES,
    EXTRA_FIRST_NAMES,
    KNOWN_PLACES,
    SENTENCE_STARTERS,
    SURNAME_SUFFIXES,
    SURNAMES,
)
from bot.privacy.spacy_import import import_spacy

PERSON_LABELS = frozenset({"PERSON", "PER"})
PLACE_LABELS = frozenset({"LOC", "GPE", "FAC"})
OTHER_LABELS = frozenset({"ORG", "MISC", "NORP", "PRODUCT", "EVENT", "WORK_OF_ART"})
#: Municipality codes ("GM9901") are the employer, not a person; NER takes them for names.
_MUNICIPALITY_CODE_RE = re.compile(r"(?<![\w])GM\d{4}(?![\w])")

# ---------------------------------------------------------------------------------------------
# vocabulary

TITLES = frozenset(
    "meneer mevrouw mevr mevr. mw mw. mw dhr dhr. heer juffrouw juf meester drs drs. dr dr. "
    "ir ir. ing ing. mr mr. prof prof. ds ds. mijnheer mnr mnr. mevrouwtje".split()
)

# Words after which a capitalised word (or a known first name) is a person.
CONTEXT_NOUNS = frozenset(
    """
    collega collega's oud-collega leidinggevende leidinggevenden teamleider teamleiders manager
    managers baas chef afdelingshoofd afdelingsmanager directeur clustermanager unitmanager
    sectorhoofd teammanager coach loopbaancoach loopbaanadviseur adviseur hr-adviseur
    p&o-adviseur personeelsadviseur mentor buddy teamcoach coördinator coordinator begeleider
    werkbegeleider praktijkbegeleider vriend vriendin partner echtgenoot echtgenote man vrouw
    zus zusje broer broertje dochter zoon moeder vader schoonmoeder buurman buurvrouw opvolger
    voorganger stagiair stagiaire trainer docent wethouder burgemeester gemeentesecretaris
    kamergenoot sparringpartner maatje leidinggevende's vertrouwenspersoon bedrijfsarts
    casemanager consulent klantmanager recruiter contactpersoon nicht neef tante oom opa oma
    schoonzus zwager schoonzoon schoondochter kleindochter kleinzoon t.n.v. tnv
    """.split()
)

INTRO_STRONG: tuple[tuple[str, ...], ...] = (
    ("ik", "heet"),
    ("mijn", "naam", "is"),
    ("m'n", "naam", "is"),
    ("naam", ":"),
    ("naam", "is"),
    ("je", "spreekt", "met"),
    ("u", "spreekt", "met"),
    ("noem", "me"),
    ("noem", "mij"),
    ("ze", "noemen", "me"),
)
INTRO_WEAK: tuple[tuple[str, ...], ...] = (
    ("ik", "ben"),
    ("heet",),
    ("dit", "is"),
    ("hier", "is"),
    ("groetjes", ","),
    ("groetjes",),
    ("groet", ","),
    ("groeten", ","),
    ("groet", "van"),
    ("groetjes", "van"),
    ("gr", "."),
    ("mvg", ","),
    ("mvg",),
    ("vriendelijke", "groet", ","),
    ("vriendelijke", "groeten", ","),
    ("vriendelijke", "groet"),
    ("liefs", ","),
    ("namens",),
    ("getekend", ","),
)

# Name particles ("tussenvoegsels") that may sit inside a name, as allowed sequences.
PARTICLE_SEQUENCES: frozenset[tuple[str, ...]] = frozenset(
    tuple(seq.split())
    for seq in [
        "van",
        "van der",
        "van den",
        "van de",
        "van het",
        "van 't",
        "van ’t",
        "de",
        "der",
        "den",
        "ter",
        "ten",
        "te",
        "'t",
        "’t",
        "in 't",
        "in ’t",
        "in de",
        "in het",
        "op de",
        "op 't",
        "op ten",
        "uit de",
        "uit den",
        "van de",
        "von",
        "von der",
        "zu",
        "el",
        "al",
        "ben",
        "bin",
        "ait",
        "aït",
        "abou",
        "abu",
        "ou",
        "ibn",
        "oulad",
        "ould",
        "bou",
        "da",
        "dos",
        "du",
        "le",
        "la",
        "di",
        "del",
        "della",
        "mc",
        "o'",
        "d'",
        "lo",
    ]
)
PARTICLE_WORDS = frozenset(w for seq in PARTICLE_SEQUENCES for w in seq)
MAX_PARTICLES = max(len(seq) for seq in PARTICLE_SEQUENCES)

# Career vocabulary, departments, instruments and tools: never a name (matched case-insensitively
# as whole words; the short acronyms in CAREER_ACRONYMS only in capitals).
CAREER_PHRASES: tuple[str, ...] = tuple(
    p.strip()
    for p in """
    Werk en Inkomen|Werk & Inkomen|Zorg en Welzijn|Zorg & Welzijn|Openbare Ruimte|Openbare Orde
    |Openbare Orde en Veiligheid|Ruimtelijke Ordening|Vergunningen, Toezicht en Handhaving
    |Vergunningverlening|Toezicht en Handhaving|Publiekszaken|Publiekszaken en Dienstverlening
    |Burgerzaken|Documentaire Informatievoorziening|Documentaire Informatie Voorziening
    |Jeugdzorg|Jeugd en Gezin|Centrum voor Jeugd en Gezin|Buitendienst|Binnendienst
    |Klantcontactcentrum|Klant Contact Centrum|Sociaal Domein|Sociaal Team|Wijkteam|Participatiewet
    |Belastingen|Financiën|Financien|Facilitaire Zaken|Facilitaire Dienst|Griffie
    |Gemeentewerken|Stadsbeheer|Stadsontwikkeling|Leerplicht|Schuldhulpverlening|Schuldhulp
    |Inburgering|Archief|Postkamer|Receptie|Frontoffice|Backoffice|Front Office|Back Office
    |Bedrijfsvoering|Beheer Openbare Ruimte|Ondernemingsraad|Personeel en Organisatie
    |Human Resources|Informatiebeheer|Informatievoorziening|Communicatie|Juridische Zaken
    |Vastgoed|Milieu|Sport en Cultuur|Onderwijs|Economische Zaken|Bouw- en Woningtoezicht
    |Wonen|Omgevingswet|Omgevingsloket|Burgerlijke Stand|Basisregistratie Personen|Reisdocumenten
    |Rijbewijzen|Verkiezingen|Handhaving|Toezicht|Wijkbeheer|Groenvoorziening|Afvalinzameling
    |Reiniging|Riolering|Gemeentehuis|Stadhuis|Stadskantoor|Raadhuis|Servicepunt|KlantContact
    |Ontwikkelscan|Loopbaanscan|TalentSpiegel|Talentspiegel|StrengthsFinder|Strengths Finder
    |Baas in eigen loopbaan|A&O-fonds|A&O fonds|A+O fonds|A&O-fonds Gemeenten|Gemeenten
    |VNG|Vereniging van Nederlandse Gemeenten|Rijksoverheid|Werkplein|UWV|DUO|CBS|SVB
    |Zaakgericht werken|Zaakgericht Werken|DigiD|MijnOverheid|Mijn Overheid|Teams|Microsoft
    |Microsoft Teams|Outlook|Excel|Word|PowerPoint|SharePoint|OneDrive|LinkedIn|Google|YouTube
    |WhatsApp|Zoom|AFAS|Youforce|YouForce|Raet|TOPdesk|Topdesk|Centric|PinkRoccade|Decos|Corsa
    |Mozard|Suite4|GWS4all|iBurgerzaken|Key2Burgerzaken|JOIN|Zaaksysteem|Plein|Intranet
    |Koers|Loopbaanwijzer|Nationale Beroepengids|Werkenvoornederland|Werken voor Nederland
    |Binnenlands Bestuur|Gemeentenieuws|Leerhuis|Academie|GoodHabitz|Goodhabitz|NCOI|LOI
    |Hogeschool|Universiteit|ROC|Open Universiteit|Schouten & Nelissen|Schouten en Nelissen
    |Nederlands|Engels|Duits|Turks|Arabisch|Marokkaans|Surinaams|Pools|Fries|Berbers|Tamazight
    |Sranantongo|Papiaments|Hindi|Sarnami|Kerst|Kerstmis|Pasen|Pinksteren|Ramadan|Suikerfeest
    |Offerfeest|Koningsdag|Bevrijdingsdag|Hemelvaart|Sinterklaas|Divali|Keti Koti|Nieuwjaar
    |Maandag|Dinsdag|Woensdag|Donderdag|Vrijdag|Zaterdag|Zondag|Januari|Februari|Maart|April
    |Mei|Juni|Juli|Augustus|September|Oktober|November|December|Corona|Covid|Nederland
    |Randstad|Friesland|Fryslân|Limburg|Brabant|Zeeland|Groningen|Drenthe|Overijssel|Gelderland
    |Utrecht|Flevoland|Noord-Holland|Zuid-Holland|Noord-Brabant|Zuid-Limburg|Europa|Marokko
    |Turkije|Suriname|Polen|Antillen|Curaçao|Aruba|Indonesië|God|Allah|Hallo|Hoi|Hey|Hé|Hee
    |Dag|Goedemorgen|Goedemiddag|Goedenavond|Beste|Groetjes|Bedankt|Dankjewel|Dank je|Thanks
    |Sorry|Oké|Oke|Okay|Ok|Ja|Nee|Top|Super|Prima|Graag|Help|Stop|Hulp|Vraag|Tip|Tips|Ontwikkelgesprek
    |Functioneringsgesprek|Jaargesprek|Beoordelingsgesprek|Loopbaangesprek|Goede Gesprek
    |Het Goede Gesprek|Duurzame Inzetbaarheid|Een Leven Lang Leren|Leven Lang Ontwikkelen
    |Loopbaanbudget|Opleidingsbudget|Individueel Keuzebudget|IKB|Cao|Car-Uwo|Wet Poortwachter
    |Regionale Arbeidsmarkt|Interne Arbeidsmarkt|Mobiliteitsbank|Mobiliteitscentrum
    |Van-Werk-Naar-Werk|Werk naar Werk|Voucher|Vouchers|Schaal|Functieschaal|Salarisschaal
    |Meeloopstage|Detachering|Uitwisseling|Coaching|Intervisie|Masterclass|Workshop|Webinar
    """.split("|")
    if p.strip()
)
CAREER_ACRONYMS = frozenset(
    """
    DIV HR HRM P&O P&O-adviseur PO Wmo WMO KCC KCM OR BOA BOA's ICT I&A IV VTH BRP BRO WOZ AOW
    WW WIA WGA ZW MT CMT GMT CAO POP EVC SPP SOD NT2 MBO HBO WO mbo hbo wo VWO HAVO VMBO
    HvA HU HAN HAS HZ HR-adviseur AVG FG ISO OOV RO BOR IBOR JGZ CJG GGD GGZ UWV SVB DUO
    KvK IND RVO VNG BZK IPO NOS RTV ZZP ZZP'er CV LinkedIn MS ROC MBO-4 HBO-V AI IT
    """.split()
)
# Words that end like these are job titles, departments or tools, never surnames.
CAREER_SUFFIXES: tuple[str, ...] = (
    "medewerker",
    "medewerkers",
    "medewerkster",
    "adviseur",
    "adviseurs",
    "consulent",
    "consulenten",
    "coördinator",
    "coordinator",
    "manager",
    "managers",
    "specialist",
    "beheerder",
    "functionaris",
    "ambtenaar",
    "ambtenaren",
    "regisseur",
    "zaken",
    "zorg",
    "beheer",
    "dienst",
    "domein",
    "loket",
    "centrum",
    "bureau",
    "beleid",
    "handhaving",
    "toezicht",
    "administratie",
    "archief",
    "opleiding",
    "cursus",
    "training",
    "traject",
    "gesprek",
    "budget",
    "scan",
    "onderwijs",
    "afdeling",
    "voorziening",
    "ontwikkeling",
    "begeleiding",
    "verlening",
    "inzetbaarheid",
    "werken",
    "gemeente",
    "leider",
    "leiders",
    "kundige",
    "deskundige",
    "assistent",
    "secretaresse",
    "jurist",
    "planner",
    "analist",
    "controller",
    "inspecteur",
    "handhaver",
    "opzichter",
    "hovenier",
    "stratenmaker",
)
# Capitalised words that look like names to NER but are not (chat filler, time words).
NOT_NAMES = frozenset(
    """
    ik je jij u hij zij ze wij we jullie mijn jouw zijn haar onze hun wat hoe waar wie welke
    waarom wanneer kan mag moet heb hebben is zou zal wil wilt als omdat maar en of dus want
    toen nu morgen gisteren vandaag straks vanavond vanochtend vanmiddag eergisteren overmorgen
    ja nee misschien ok oké oke okay top super prima graag help stop hulp vraag tip tips hoi hallo
    hey dag doei doeg groetjes groet groeten bedankt dankjewel dankuwel thanks sorry excuus
    helaas gelukkig inderdaad precies echt eigenlijk zeker trouwens verder daarnaast bovendien
    tenslotte ten eerste tweede derde laatste nieuwe oude mensen iedereen niemand iemand
    collega collega's leidinggevende manager teamleider directeur wethouder burgemeester
    gemeente team afdeling organisatie werk baan functie loopbaan carrière cursus opleiding
    training tel telefoon mobiel postcode adres mail email e-mail iban bsn naam rekening
    geboren geb geboortedatum woonplaats personeelsnummer nummer
    """.split()
)
# Names from the first-name list that are also ordinary Dutch or English words: these count
# only with a capital, a surname after them or a context word before them.
AMBIGUOUS_FIRST_NAMES = frozenset(
    """
    ben wil job mark roos hoop frank ton bas lot rob max lies ad age can mees floor merel
    amber iris fleur els said toon pier germ jet joy hope grace rose may june dean will bill
    art guy jan frans tuba nur mo
    """.split()
)
# Of those, the ones that in lower case are always an ordinary word, even after "collega".
NEVER_LOWER = frozenset(
    """
    ben wil job mark hoop frank ton bas lot rob max lies ad age can floor toon mees roos pier
    germ jet will art guy may june bill dean hope grace rose joy said els nur tuba
    """.split()
)
FIRST_NAMES = frozenset(
    n.lower()
    for n in """
    Jan Piet Kees Henk Gerrit Willem Hendrik Johan Johannes Cornelis Pieter Jacob Jacobus Dirk
    Klaas Hans Peter Paul Marco Martin Marcel Erik Eric Frank Rob Robert Ron Ronald René Rene
    Richard Rick Rik Ruud Sander Bas Bart Bram Daan Dennis Edwin Ferry Gert Gijs Harm Hugo Ivo
    Jeroen Jesse Joost Jos Joris Jurgen Koen Lars Luuk Maarten Mark Martijn Mats Max Michiel
    Niels Nick Patrick Remco Roel Rogier Ruben Sem Stefan Stijn Sven Teun Thijs Thomas Tim Tom
    Twan Vincent Wim Wouter Arjan Arjen Anton Ad Arie Bert Cor Dick Evert Frans Fred Gerard
    Geert Harry Herman Jaap Karel Leo Leon Lucas Menno Nico Rens Tijs Floris Jasper Job Tobias
    Wessel Bob Guus Pim Mees Finn Levi Noah Sam Milan Jens Olaf Rutger Wilco Wilfred Hein Huib
    Ewout Bauke Arnoud Arnold Berend Chris Christiaan Coen Daniël Daniel David Dave Egbert Emiel
    Gerben Gerrit-Jan Hidde Jelmer Jeffrey Jorn Jordy Kevin Laurens Marius Mathijs Matthijs
    Mike Mitchell Pascal Pepijn Raymond Reinier Roy Sebastiaan Siebe Steven Sjaak Tijmen Timo
    Ton Toon Victor Wiebe Wijnand Youri Yuri Alexander Allard Ben Benno Boudewijn Camiel Casper
    Anna Anne Annemarie Anneke Anouk Astrid Bianca Carla Caroline Charlotte Claudia Daphne
    Diana Eline Ellen Els Emma Esther Eva Femke Fleur Floor Gerda Hanneke Hilde Ilse Inge
    Ingrid Iris Janneke Jolanda José Judith Julia Karin Kim Laura Lieke Linda Lisa Lotte Loes
    Manon Margriet Maria Marieke Marjolein Marloes Martine Mirjam Monique Nicole Nienke Noor
    Petra Renate Rian Rianne Ria Saskia Sanne Sandra Sara Sarah Sophie Suzanne Tessa Tineke
    Wendy Wilma Yvonne Ank Annet Annette Bea Corrie Dineke Elske Evelien Gonnie Henny Ineke
    Joke Lies Marian Marianne Mieke Nel Riet Roos Trudy Willemijn Yara Zoë Zoe Amber Demi
    Lisanne Merel Naomi Romy Vera Britt Ilona Jacqueline Miranda Patricia Sabine Angela Brigitte
    Anja Annelies Arianne Bernadette Carin Cindy Corine Debby Dorien Elly Emmy Erna Esmée
    Francien Geertje Gea Hennie Heleen Ilona Irene Jannie Jeannette Jet Jenny Karlijn Kirsten
    Leonie Lianne Lidwien Lizzy Maaike Mandy Marga Marijke Marja Marleen Melanie Mireille
    Nathalie Nina Paula Priscilla Rachel Rebecca Rosa Sacha Simone Sonja Stephanie Tamara Thea
    Tiny Wilhelmina Yvette Sjoerd Hylke Durk Douwe Jelle Auke Tsjalling Wybren Sybren Rintje
    Jouke Tjeerd Eelke Sietse Folkert Age Anke Sietske Wietske Tjitske Hiltsje Baukje Froukje
    Geeske Jeltsje Grietje Aaltje Antje Akke Minke Sjoukje Trijntje Wytske Ypie Doutzen Janke
    Lysbeth Gerlof Haye Jitse Oene Pier Rinse Sipke Wopke Fokke Germ Hessel Lolke Meine Tjalling
    Atse Bouke Femmy Hinke Ietje Jikke Liesbeth Marrit Rixt Sytske Tetje Wiepkje Jildou
    Mohamed Mohammed Mohammad Muhammad Ahmed Ahmad Youssef Yousef Youssouf Said Saïd Karim
    Khalid Hamid Hassan Hicham Mustafa Mostafa Nordin Rachid Abdel Abdelkader Abdellah Abdelhak
    Abdelali Abdelkarim Abdelaziz Omar Othman Yassine Yassin Bilal Anouar Samir Tarik Tariq
    Jamal Driss Brahim Mimoun Nabil Redouan Redouane Soufiane Zakaria Ilias Ilyas Ismail Ayoub
    Adil Mounir Mohssine Mehdi Younes Hamza Amine Anass Badr Fouad Jawad Khalil Marouane Nourdin
    Rachida Fatima Fatiha Khadija Naima Samira Malika Nadia Latifa Houda Hanan Hafsa Ikram
    Imane Karima Loubna Meryem Meriem Nora Sanae Siham Souad Yasmina Yasmine Zahra Zineb Zoubida
    Amal Asma Btissam Dounia Fadoua Hajar Layla Leila Nawal Najat Salma Wafa Jamila Habiba Touria
    Aicha Aïcha Chaima Chaimae Nisrine Rajae Safae Soumaya Wissal Yousra Hayat Mina Fadma Zohra
    Mehmet Ahmet Ali Hasan Hüseyin Huseyin Ibrahim İbrahim Emre Burak Murat Kemal Osman Yusuf
    Cem Can Deniz Erkan Fatih Gökhan Gokhan Hakan Kaan Kerem Levent Onur Orhan Ömer Omer Serkan
    Serdar Tolga Volkan Yasin Erdal Ercan Ertan Halil Harun Metin Mesut Necati Recep Selim Selçuk
    Sinan Tayfun Tuncay Uğur Ugur Yunus Zafer Alper Arda Barış Baris Berk Cengiz Emin Eren Ayşe
    Ayse Fatma Emine Hatice Zeynep Elif Esra Gül Gul Hülya Hulya Merve Melek Özlem Ozlem Sevgi
    Songül Songul Tülay Tulay Yasemin Dilek Derya Ebru Filiz Gülsen Nurcan Selin Sibel Büşra
    Busra Kübra Kubra Esma Nesrin Sevda Tuba Aylin Ayten Bahar Berna Canan Didem Duygu Emel Funda
    Gizem Hande Leyla Meltem Neslihan Nur Pınar Pinar Seda Sema Serpil Şule Sule Tuğba Tugba
    Priya Rajesh Ravi Anand Sunil Ramesh Dinesh Suresh Vikash Ashwin Navin Kiran Radj Raj
    Sharmila Shanti Roshni Sunita Anita Kavita Reshma Sandhya Geeta Indra Soenita Sarita Poonam
    Rakesh Anil Ashok Deepak Devi Gita Jairam Kishan Krishna Lakshmi Mahesh Manoj Meena Mohan
    Nirmala Prakash Prem Radha Rajendra Rajiv Rekha Sangeeta Santosh Satish Savitri Shiela
    Shiwani Soekdew Soeresh Vijay Vishal Anjali Ritesh Nitesh Kenneth Marlon Glenn Errol Romano
    Clarence Ricardo Humphrey Orlando Winston Rudy Iwan Stanley Edson Jerrel Gregory Sharon
    Denise Jennifer Melissa Sheila Chantal Jacinta Rosita Gracia Sylvana Dewi Sri Wati Ratna
    Joyce Natasja Ruth Esmeralda Ivanildo Jurriën Quincy Rinaldo Roël Sergio Shurwin Virgil
    Ryan Dwight Lucien Hensley Ciska Gerda Jeanine Marciano Rayen Sabitri Sarojini Soraya
    Tomasz Piotr Pawel Paweł Krzysztof Marek Michał Agnieszka Katarzyna Magdalena Aleksandra
    Joanna Monika Dragan Milica Ivana Goran Stefanie Andrea Sabrina Nathan Jayden Dylan Daisy
    Samantha Michelle Kelly Marco Roberto Antonio Giuseppe Francesca Carmen Lucia Pedro Miguel
    Ana Ahmadi Reza Mahmoud Ahmad Amir Ali-Reza Farid Hossein Mariam Maryam Fariba Nasrin Zainab
    Abdi Abdullahi Hodan Fadumo Yonas Tesfay Senait Berhane Kidane Mulu Aster Selam Semhar
    """.split()
)
FIRST_NAMES = FIRST_NAMES | EXTRA_FIRST_NAMES
_LISTED_NAMES = FIRST_NAMES | SURNAMES
# Verbs that, right after a capitalised word, say the word is a person ("Lex vindt").
PERSON_VERBS = frozenset(
    """
    zegt zei vindt vond vroeg vraagt hoort hoorde weet wist denkt dacht belde belt mailde mailt
    appte appt lacht lachte snapt begrijpt praat sprak vertelde vertelt raadde raadt adviseerde
    adviseert kent kende steunt steunde helpt hielp reageert reageerde twijfelt wil wilde heeft
    gaat ging werkt werkte doet deed komt kwam is was
    """.split()
)
_STRONG_PERSON_VERBS = PERSON_VERBS - {
    "wil",
    "wilde",
    "heeft",
    "gaat",
    "ging",
    "werkt",
    "werkte",
    "doet",
    "deed",
    "komt",
    "kwam",
    "is",
    "was",
}

# Frequent verbs and adverbs that follow a name ("fatima vindt"): never taken as a surname.
NOT_SURNAMES = frozenset(
    """
    zei zegt vindt vond vroeg vraagt wil wilde gaat ging heeft had is was kan kon moet moest mag
    mocht zou werkt werkte doet deed komt kwam denkt dacht weet wist ziet zag belde belt mailde
    mailt stuurde stuurt appte appt gaf geeft liet laat blijft bleef krijgt kreeg helpt hielp
    praat sprak spreekt zegt vertelde vertelt noemde noemt wordt werd gaat zit zat staat stond
    heb hebt ben bent en of maar want dus ook nog al niet wel altijd nooit vaak soms echt heel
    erg zo dan toen nu hier daar die dat deze dit met van voor naar bij op aan in uit over
    tegen zonder om tot door sinds tijdens na voor achter onder boven eens even graag mee
    gesproken gebeld gemaild gevraagd gezegd gehad gedaan geweest en-en
    """.split()
)

_WORD_RE = re.compile(
    r"(?:[^\W\d_]\.){1,4}(?![^\W\d_])"  # initials: J. / J.P.
    r"|['’]t\b"  # 't
    r"|[^\W\d_][\w'’&]*(?:-[\w'’&]+)*"  # words, hyphenated double names, P&O
    r"|\d+"
    r"|[^\w\s]"
)
_SENTENCE_END = frozenset(".!?:;\n\"“”'‘’()[]•*-–—>")


@dataclass(frozen=True, slots=True)
class Token:
    """A word or punctuation mark with its character offsets."""

    text: str
    start: int
    end: int
    lower: str
    is_word: bool
    is_cap: bool
    sent_start: bool


def tokenize(text: str) -> list[Token]:
    """Words with offsets; a token starts a sentence after ``.!?:`` or a line break."""
    tokens: list[Token] = []
    sent_start = True
    for m in _WORD_RE.finditer(text):
        word = m.group()
        is_word = word[0].isalpha() or word in {"'t", "’t"}
        newline_before = "\n" in text[tokens[-1].end if tokens else 0 : m.start()]
        starts = sent_start or newline_before
        tokens.append(
            Token(
                text=word,
                start=m.start(),
                end=m.end(),
                lower=word.lower(),
                is_word=is_word,
                is_cap=word[0].isupper(),
                sent_start=starts and is_word,
            )
        )
        if is_word:
            sent_start = False
        elif word in _SENTENCE_END and word not in {"'", "-"}:
            sent_start = word in '.!?:;\n"“”•*>' or sent_start
    return tokens


@lru_cache(maxsize=1)
def _career_regex() -> re.Pattern[str]:
    phrases = sorted(set(CAREER_PHRASES), key=len, reverse=True)
    words = "|".join(re.escape(p).replace(r"\ ", r"\s+") for p in phrases)
    return re.compile(r"(?<![\w&])(?:" + words + r")(?![\w&])", re.IGNORECASE)


def protected_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of career vocabulary and departments that must never become a name."""
    spans = [(m.start(), m.end()) for m in _career_regex().finditer(text)]
    spans += [(m.start(), m.end()) for m in _MUNICIPALITY_CODE_RE.finditer(text)]
    return spans


def _is_career_word(tok: Token) -> bool:
    """Acronyms in their own spelling ("DIV", "Wmo"), or a job/department word by its ending."""
    if tok.text in CAREER_ACRONYMS:
        return True
    lower = tok.lower
    if lower in {"zaken", "dienst", "beheer", "zorg"}:
        return True
    return any(lower.endswith(sfx) and len(lower) >= len(sfx) + 2 for sfx in CAREER_SUFFIXES)


@dataclass(frozen=True, slots=True)
class NerEntity:
    start: int
    end: int
    label: str


class _Analysis:
    """Token-level facts the rules share for one text."""

    def __init__(self, text: str, entities: Sequence[NerEntity]) -> None:
        self.text = text
        self.tokens = tokenize(text)
        n = len(self.tokens)
        self.protected = [False] * n
        self.place = [False] * n
        self.person_ent = [False] * n
        self.other_ent = [False] * n
        self.context_place = [False] * n
        spans = protected_spans(text)
        for i, tok in enumerate(self.tokens):
            if tok.is_word and (_is_career_word(tok) or _inside(tok, spans)):
                self.protected[i] = True
        # Known places only keep a word out of name pairs: "van Tiel", "van den Bosch" stay.
        self.known_place = [t.is_word and t.lower in KNOWN_PLACES for t in self.tokens]
        for ent in entities:
            for i, tok in enumerate(self.tokens):
                if tok.start >= ent.start and tok.end <= ent.end:
                    if ent.label in PLACE_LABELS:
                        self.place[i] = True
                    elif ent.label in PERSON_LABELS:
                        self.person_ent[i] = True
                    elif ent.label in OTHER_LABELS:
                        self.other_ent[i] = True
        self._mark_place_contexts()

    def _mark_place_contexts(self) -> None:
        """``gemeente X``, ``regio X``, ``provincie X``: X is a place, whatever NER says."""
        toks = self.tokens
        for i, tok in enumerate(toks[:-1]):
            if tok.lower in {
                "gemeente",
                "gemeenten",
                "regio",
                "provincie",
                "stad",
                "dorp",
                "waterschap",
                "woonplaats",
                "wijk",
                "dorpje",
                "sint",
            }:
                j = i + 1
                while (
                    j < len(toks)
                    and toks[j].is_word
                    and (toks[j].is_cap or toks[j].lower in PARTICLE_WORDS)
                ):
                    self.place[j] = True
                    self.context_place[j] = True
                    j += 1

    # -- token predicates

    def word(self, i: int) -> bool:
        return 0 <= i < len(self.tokens) and self.tokens[i].is_word

    def name_word(self, i: int, allow_lower: bool) -> bool:
        """A token that can be (part of) a first name or surname."""
        if not self.word(i) or self.protected[i]:
            return False
        tok = self.tokens[i]
        stop = stopwords()
        if tok.lower in NOT_NAMES or (tok.lower in stop and not tok.is_cap):
            return False
        if "-" in tok.lower and any(part in NOT_NAMES for part in tok.lower.split("-")):
            return False
        if tok.is_cap:
            return tok.lower not in stop or tok.lower in FIRST_NAMES
        if not allow_lower:
            return tok.lower in FIRST_NAMES and tok.lower not in NEVER_LOWER
        return tok.lower not in NOT_SURNAMES and len(tok.text) >= 2

    def surname_after_particle(self, i: int, allow_lower: bool) -> bool:
        """After "ter", "de", "van": also capitalised stop words count ("ter Haar", "de Bij")."""
        if self.name_word(i, allow_lower):
            return True
        tok = self.tokens[i] if self.word(i) else None
        return bool(tok and tok.is_cap and not self.protected[i] and not self.place[i])

    def initial(self, i: int) -> bool:
        return self.word(i) and bool(re.fullmatch(r"(?:[^\W\d_]\.){1,4}", self.tokens[i].text))

    def particle_run(self, i: int) -> int:
        """Length of the longest name-particle sequence starting at token ``i`` (0 if none)."""
        for length in range(MAX_PARTICLES, 0, -1):
            seq = tuple(t.lower for t in self.tokens[i : i + length])
            if len(seq) == length and seq in PARTICLE_SEQUENCES:
                return length
        return 0

    def after_place_word(self, i: int) -> bool:
        """``in X``, ``uit X``, ``naar X``: X is more likely a place than a person."""
        prev = self.tokens[i - 1].lower if i > 0 else ""
        return prev in {
            "in",
            "uit",
            "te",
            "naar",
            "gemeente",
            "regio",
            "provincie",
            "richting",
            "sint",
        }

    # -- the name grammar

    def tail(self, i: int, allow_lower: bool, trusted: bool = False) -> int:
        """End index of a name starting at ``i``: initials, particles and name words, ending
        in a name word; ``i`` if there is none.

        ``trusted``: a title or context word says a person follows, so a place label from NER
        on the first word is ignored ("mijn collega Nordin Azzouzi" tagged LOC).
        """
        toks = self.tokens
        end = j = i
        names = 0
        while j < len(toks) and j - i < 8:
            if self.initial(j):
                j += 1
                continue
            run = self.particle_run(j)
            if run:
                k = j + run
                if (
                    self.surname_after_particle(k, allow_lower)
                    and (allow_lower or toks[k].is_cap)
                    and not (names and self.place[k] and not self.person_ent[k])
                ):
                    j = end = k + 1
                    names += 1
                    continue
            if toks[j].text in {"-", "–"} and names and self.name_word(j + 1, allow_lower):
                j += 1
                continue
            if self.name_word(j, allow_lower) and (
                trusted
                or names
                or not self.place[j]
                or self.person_ent[j]
                or (toks[j].lower in FIRST_NAMES and not self.after_place_word(j))
            ):
                if names and not allow_lower and not toks[j].is_cap:
                    break
                j += 1
                names += 1
                end = j
                continue
            break
        return end if names else i


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    """spaCy's Dutch stop words (a plain list; importing it does not load a model)."""
    # spaCy on first use only, so importing the scrubber stays cheap; and through
    # import_spacy(), not spaCy's own import: that would pull in TensorFlow.
    import_spacy()
    from spacy.lang.nl.stop_words import STOP_WORDS

    return frozenset(STOP_WORDS) | {"m'n", "z'n", "d'r", "'k", "ff", "effe"}


def _inside(tok: Token, spans: Iterable[tuple[int, int]]) -> bool:
    return any(tok.start >= s and tok.end <= e for s, e in spans)


def _starts_with(an: _Analysis, i: int, seq: tuple[str, ...]) -> bool:
    toks = an.tokens
    return i + len(seq) <= len(toks) and all(toks[i + k].lower == w for k, w in enumerate(seq))


def rule_name_spans(text: str, entities: Sequence[NerEntity] = ()) -> list[tuple[int, int]]:
    """Character spans of person names by NER entities plus the Dutch name rules."""
    an = _Analysis(text, entities)
    toks = an.tokens
    spans: list[tuple[int, int]] = []  # token index ranges

    # 1. NER persons, trimmed of career words and stray particles.
    for ent in entities:
        if ent.label not in PERSON_LABELS:
            continue
        idx = [i for i, t in enumerate(toks) if t.start >= ent.start and t.end <= ent.end]
        if not idx:
            continue
        start, stop = idx[0], idx[-1] + 1
        for k in range(start, stop):
            if (
                an.protected[k]
                or an.context_place[k]
                or (an.place[k] and k > start and toks[k - 1].lower == "van")
            ):
                stop = k
                break
        while stop > start and (
            not toks[stop - 1].is_word or toks[stop - 1].lower in PARTICLE_WORDS
        ):
            stop -= 1
        while start < stop and not toks[start].is_word:
            start += 1
        if start >= stop:
            continue
        kept = [k for k in range(start, stop) if an.name_word(k, allow_lower=True)]
        if not kept or _title_not_person(an, start, stop):
            continue
        if stop - start == 1:
            tok = toks[start]
            if tok.lower in NOT_NAMES or (tok.sent_start and tok.lower in stopwords()):
                continue
            if an.after_place_word(start) and tok.lower not in FIRST_NAMES:
                continue
        spans.append((start, stop))

    for i, tok in enumerate(toks):
        if not tok.is_word:
            continue
        # 2. Titles: "mevrouw De Vries", "dhr. J. van Dijk", "drs. El Amrani".
        if tok.lower in TITLES:
            j = i + 1
            if j < len(toks) and toks[j].text == ".":
                j += 1
            end = an.tail(j, allow_lower=True, trusted=True)
            if end > j:
                spans.append((j, end))
            continue
        # 3. Context nouns: "mijn collega Fatima", "teamleider Ruud van den Berg".
        if tok.lower in CONTEXT_NOUNS:
            j = i + 1
            while j < len(toks) and toks[j].text in {",", ":", "("}:
                j += 1
            end = an.tail(j, allow_lower=False, trusted=True)
            if end > j:
                spans.append((j, end))
                spans.extend(_coordinated(an, end))
            continue
        # 4. Introductions and sign-offs: "ik heet ...", "groetjes, Anouk".
        if tok.lower in _INTRO_FIRST_WORDS:
            _intro(an, i, spans)
        # 5. First names from the list, with the surname after them.
        if (
            tok.lower in FIRST_NAMES
            and not an.protected[i]
            and not (an.place[i] and an.after_place_word(i))
            and _first_name_counts(an, i)
        ):
            end = an.tail(i, allow_lower=not tok.is_cap)
            spans.append((i, max(end, i + 1)))

        # 7. A capitalised word that acts like a person: "Lex vindt", "dat Ferdinand hoort".
        if _subject_of_person_verb(an, i):
            spans.append((i, i + 1))
        # 8. Name pairs without a context word: "Wytse Hiemstra raadde", "Zoltan Kovács".
        pair = _name_pair(an, i)
        if pair > i:
            spans.append((i, pair))
        # 9. A listed surname inside a sentence: "ik sprak met Hiemstra".
        elif not tok.sent_start and _surname_like(an, i, listed_only=True):
            spans.append((i, i + 1))

    # 6. Extend every name over particles and surnames on both sides.
    spans = [_extend(an, s, e) for s, e in spans]
    return _to_chars(an, spans)


_INTRO_FIRST_WORDS = frozenset(seq[0] for seq in (*INTRO_STRONG, *INTRO_WEAK))


def _intro(an: _Analysis, i: int, spans: list[tuple[int, int]]) -> None:
    """Introductions and sign-offs at token ``i``: "ik heet ...", "groetjes, Anouk"."""
    toks = an.tokens
    for seq in INTRO_STRONG:
        if _starts_with(an, i, seq):
            j = i + len(seq)
            end = an.tail(j, allow_lower=True, trusted=True)
            if end > j:
                spans.append((j, end))
            return
    for seq in INTRO_WEAK:
        if _starts_with(an, i, seq):
            j = i + len(seq)
            if j < len(toks) and toks[j].text == ",":
                j += 1
            end = an.tail(j, allow_lower=False, trusted=True)
            if end > j and _weak_intro_ok(an, j, end):
                spans.append((j, end))
            return


def _subject_of_person_verb(an: _Analysis, i: int) -> bool:
    toks = an.tokens
    tok = toks[i]
    if i + 1 >= len(toks) or toks[i + 1].lower not in PERSON_VERBS:
        return False
    if not tok.is_cap or tok.text.isupper() or len(tok.text) < 3 or an.protected[i]:
        return False
    if not an.name_word(i, allow_lower=False):
        return False
    if tok.lower in NOT_NAMES or tok.lower in stopwords() or tok.lower in AMBIGUOUS_FIRST_NAMES:
        return False
    if (
        toks[i + 1].lower not in _STRONG_PERSON_VERBS
        and tok.lower not in FIRST_NAMES
        and not _surname_like(an, i)
    ):
        return False  # "Ajax is", "Zwolle heeft": only "says/thinks/hears" verbs are personal
    return not (an.place[i] and an.after_place_word(i))


def _title_not_person(an: _Analysis, start: int, stop: int) -> bool:
    """A title-cased phrase NER took for a person: "Goede Doelen Loterij" (an adjective first,
    or a word with a Dutch noun ending, and no listed first name or surname in it)."""
    toks = an.tokens[start:stop]
    if len(toks) < 2 or any(t.lower in _LISTED_NAMES for t in toks):
        return False
    return toks[0].lower in SENTENCE_STARTERS or any(
        _dutch_word_shape(t.lower) for t in toks if t.is_word
    )


def _dutch_word_shape(lower: str) -> bool:
    """Ends like a Dutch noun or adjective ("Ondersteuning", "Digitale"), not like a name."""
    return lower.endswith(DUTCH_WORD_SUFFIXES)


def _surname_like(an: _Analysis, i: int, listed_only: bool = False) -> bool:
    """A capitalised word on the surname list, or with a surname ending ("Hiemstra")."""
    if not an.word(i) or an.protected[i]:
        return False
    tok = an.tokens[i]
    if not tok.is_cap or tok.text.isupper():
        return False
    if an.place[i] and not an.person_ent[i]:
        return False
    parts = tok.lower.split("-")
    if any(part in SURNAMES for part in parts):
        return True  # listed: also when NER calls it an organisation ("met Hiemstra" ORG)
    if listed_only or an.other_ent[i]:
        return False
    stop = stopwords()
    return any(
        len(part) >= 6
        and part.endswith(SURNAME_SUFFIXES)
        and part not in stop
        and part not in NOT_NAMES
        for part in parts
    )


def _pair_part(an: _Analysis, i: int) -> bool:
    """A capitalised word that can be half of a name pair (not a Dutch word we know)."""
    if not an.word(i) or an.protected[i] or an.other_ent[i]:
        return False
    tok = an.tokens[i]
    lower = tok.lower
    if not tok.is_cap or tok.text.isupper() or len(tok.text) < 2 or tok.text[-1] == ".":
        return False
    if (an.place[i] or an.known_place[i]) and not an.person_ent[i]:
        return False
    if lower in NOT_NAMES or lower in SENTENCE_STARTERS or lower in stopwords():
        return lower in FIRST_NAMES and lower not in AMBIGUOUS_FIRST_NAMES
    return True


def _name_pair(an: _Analysis, i: int) -> int:
    """End of a name pair starting at ``i`` ("Wytse Hiemstra", "Naima el Ouali"), else ``i``.

    Found without a context word when one half is a listed name or has a surname ending, or,
    at the start of a sentence, when both halves are capitalised words that are not Dutch
    words, places, departments or products and no third capitalised word follows (a title
    such as "Maatschappelijke Ondersteuning Zaanstad" is not a person).
    """
    toks = an.tokens
    if not _pair_part(an, i) or i + 1 >= len(toks):
        return i
    run = an.particle_run(i + 1)
    k = i + 1 + run
    if k >= len(toks) or not _pair_part(an, k) or toks[k].sent_start:
        return i
    first, last = toks[i], toks[k]
    known_first = first.lower in FIRST_NAMES and first.lower not in NEVER_LOWER
    if _surname_like(an, k) or (known_first and (last.lower in SURNAMES or run)):
        return k + 1
    if not first.sent_start or run:
        return i
    if any(_dutch_word_shape(t.lower) and t.lower not in _LISTED_NAMES for t in (first, last)):
        return i
    if len(first.text) < 3 or len(last.text) < 3:
        return i
    nxt = k + 1
    if nxt < len(toks) and toks[nxt].is_word and toks[nxt].is_cap and not toks[nxt].sent_start:
        return i
    return k + 1


def _weak_intro_ok(an: _Analysis, start: int, end: int) -> bool:
    """After "ik ben"/"dit is": only a capitalised name not at a place, or a listed first name."""
    first = an.tokens[start]
    if an.place[start] and not an.person_ent[start] and first.lower not in FIRST_NAMES:
        return False
    return first.is_cap or first.lower in FIRST_NAMES


def _first_name_counts(an: _Analysis, i: int) -> bool:
    tok = an.tokens[i]
    ambiguous = tok.lower in AMBIGUOUS_FIRST_NAMES
    followed_by_name = an.tail(i + 1, allow_lower=False) > i + 1 or (
        an.particle_run(i + 1) > 0 and an.tail(i + 1, allow_lower=not tok.is_cap) > i + 1
    )
    if not tok.is_cap or not ambiguous:
        return not ambiguous
    # "Ben je ...", "Mark het ..." at the start of a sentence, or "Frans" as a language.
    return (
        followed_by_name
        or an.person_ent[i]
        or (not tok.sent_start and tok.lower not in NEVER_LOWER | {"frans"})
    )


def _coordinated(an: _Analysis, end: int) -> list[tuple[int, int]]:
    """Names joined to a found name: "collega's Sanne en Ahmed", "Jan, Piet en Klaas"."""
    found = []
    toks = an.tokens
    j = end
    while j + 1 < len(toks) and toks[j].lower in {"en", ",", "&"}:
        k = j + 1
        nxt = toks[k]
        if not (nxt.is_cap or nxt.lower in FIRST_NAMES):
            break
        stop = an.tail(k, allow_lower=False, trusted=True)
        if stop <= k:
            break
        found.append((k, stop))
        j = stop
    return found


def _extend(an: _Analysis, start: int, end: int) -> tuple[int, int]:
    toks = an.tokens
    # right: particles + capitalised surname(s), double names with a spaced hyphen
    allow_lower = not toks[start].is_cap
    while end < len(toks):
        run = an.particle_run(end)
        if run and an.surname_after_particle(end + run, allow_lower) and not an.place[end + run]:
            if not allow_lower and not toks[end + run].is_cap:
                break
            end += run + 1
            continue
        if toks[end].text in {"-", "–"} and an.name_word(end + 1, allow_lower=False):
            end += 2
            continue
        if (
            an.word(end)
            and toks[end].is_cap
            and an.name_word(end, allow_lower=False)
            and not an.place[end]
            and not toks[end].sent_start
        ):
            end += 1
            continue
        break
    # left: initials, capitalised particles and listed first names
    while start > 0:
        prev = start - 1
        if an.initial(prev):
            start = prev
            continue
        if (
            toks[prev].lower in PARTICLE_WORDS
            and toks[prev].is_cap
            and prev > 0
            and (an.name_word(prev - 1, allow_lower=False) and toks[prev - 1].is_cap)
        ):
            start = prev - 1
            continue
        if (
            toks[prev].is_cap
            and toks[prev].lower in FIRST_NAMES
            and not an.protected[prev]
            and toks[prev].lower not in NEVER_LOWER
        ):
            start = prev
            continue
        break
    return start, end


def _to_chars(an: _Analysis, spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    out = []
    for s, e in sorted(set(spans)):
        if e <= s:
            continue
        out.append((an.tokens[s].start, an.tokens[e - 1].end))
    return out


# ---------------------------------------------------------------------------------------------
# spaCy

_NLP_LOCK = threading.Lock()
_NLP: dict[str, Any] = {}


def get_nlp(model: str | None = None) -> Any:
    """The NER-only spaCy pipeline, loaded on first use and kept for the process."""
    if model is None:
        model = load_settings().spacy_model
    nlp = _NLP.get(model)
    if nlp is not None:
        return nlp
    with _NLP_LOCK:
        nlp = _NLP.get(model)
        if nlp is None:
            spacy = import_spacy()  # without TensorFlow (~470 MB) where it is not loaded
            never = ["parser", "lemmatizer", "senter", "morphologizer", "tagger", "attribute_ruler"]
            probe = spacy.load(model, exclude=never)
            keep = {"ner", "tok2vec"} if _ner_listens(probe) else {"ner"}
            drop = [p for p in probe.pipe_names if p not in keep]
            nlp = spacy.load(model, exclude=never + drop) if drop else probe
            _NLP[model] = nlp
    return nlp


def _ner_listens(nlp: Any) -> bool:
    """True if ``ner`` shares the pipeline's tok2vec (the official model) and needs it."""
    if "ner" not in nlp.pipe_names or "tok2vec" not in nlp.pipe_names:
        return False
    tok2vec = nlp.get_pipe("tok2vec")
    return "ner" in getattr(tok2vec, "listening_components", [])


def ner_entities(text: str, model: str | None = None) -> list[NerEntity]:
    """Entities from the spaCy model (labels as the model gives them)."""
    doc = get_nlp(model)(text)
    return [NerEntity(e.start_char, e.end_char, e.label_) for e in doc.ents]


def baseline_person_spans(text: str, model: str | None = None) -> list[tuple[int, int]]:
    """Plain NER persons, the baseline the evaluation compares with."""
    return [(e.start, e.end) for e in ner_entities(text, model) if e.label in PERSON_LABELS]


def find_names(text: str, use_ner: bool = True, model: str | None = None) -> list[Finding]:
    """Person names in ``text`` as findings of type NAAM.

    ``use_ner=False`` runs the rules only (cheap, for log records).
    """
    entities = ner_entities(text, model) if use_ner and text.strip() else []
    return [
        Finding(PiiType.NAAM, s, e, "ner+rules" if use_ner else "rules")
        for s, e in rule_name_spans(text, entities)
    ]
