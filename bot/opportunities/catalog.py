"""Fixed vocabularies of the opportunity catalogue; the models repeat them as CHECK constraints.

Keep migrations/versions/0007_opportunities.py in step when a value is added.
"""

from __future__ import annotations

from types import MappingProxyType

from bot.scan.questions import STRENGTH_LABELS

TYPE_VACANCY = "vacature"
TYPE_SHADOWING = "meeloopstage"
TYPE_EXCHANGE = "uitwisseling"  # exchange or secondment (detachering)
TYPE_TRAINING = "training"  # a training shared between municipalities
TYPE_EVENT = "bijeenkomst"  # a regional event, such as a yearly symposium
TYPES: tuple[str, ...] = (TYPE_VACANCY, TYPE_SHADOWING, TYPE_EXCHANGE, TYPE_TRAINING, TYPE_EVENT)

#: What the employee reads for each type (Dutch, B1).
TYPE_LABELS = MappingProxyType(
    {
        TYPE_VACANCY: "Vacature",
        TYPE_SHADOWING: "Meeloopstage",
        TYPE_EXCHANGE: "Uitwisseling of detachering",
        TYPE_TRAINING: "Gedeelde training",
        TYPE_EVENT: "Regionale bijeenkomst",
    }
)

#: Other words coordinators and feeds use for a type (lower case).
TYPE_ALIASES = MappingProxyType(
    {
        "vacancy": TYPE_VACANCY,
        "vacatures": TYPE_VACANCY,
        "job_shadowing": TYPE_SHADOWING,
        "shadowing": TYPE_SHADOWING,
        "meelopen": TYPE_SHADOWING,
        "exchange": TYPE_EXCHANGE,
        "secondment": TYPE_EXCHANGE,
        "detachering": TYPE_EXCHANGE,
        "shared_training": TYPE_TRAINING,
        "opleiding": TYPE_TRAINING,
        "event": TYPE_EVENT,
        "regional_event": TYPE_EVENT,
        "evenement": TYPE_EVENT,
        "symposium": TYPE_EVENT,
    }
)

MODE_ON_LOCATION = "on_location"
MODE_ONLINE = "online"
MODE_HYBRID = "hybrid"
MODES: tuple[str, ...] = (MODE_ON_LOCATION, MODE_ONLINE, MODE_HYBRID)
MODE_LABELS = MappingProxyType(
    {MODE_ON_LOCATION: "Op locatie", MODE_ONLINE: "Online", MODE_HYBRID: "Deels online"}
)

SOURCE_IMPORT = "import"
SOURCE_FEED = "feed"
SOURCE_DASHBOARD = "dashboard"
SOURCES: tuple[str, ...] = (SOURCE_IMPORT, SOURCE_FEED, SOURCE_DASHBOARD)

#: Competences an opportunity asks for or trains: the strength categories of the scan, so a
#: listing and an employee's scan result speak the same language.
COMPETENCES: tuple[str, ...] = tuple(STRENGTH_LABELS)

#: Fields of municipal work, to tell "the same work, deeper" from "other work".
WORK_AREAS = MappingProxyType(
    {
        "burgerzaken": "Burgerzaken",
        "dienstverlening": "Klantcontact en dienstverlening",
        "informatie": "Informatiebeheer en DIV",
        "buitendienst": "Buitendienst en openbare ruimte",
        "sociaal_domein": "Sociaal domein",
        "ruimte": "Ruimte, wonen en vergunningen",
        "financien": "Financiën",
        "ict": "ICT en digitalisering",
        "communicatie": "Communicatie",
        "personeel": "P&O en organisatie",
        "bedrijfsvoering": "Bedrijfsvoering",
    }
)

SCALE_MIN, SCALE_MAX = 1, 18
HOURS_MIN, HOURS_MAX = 1, 40
TITLE_MAX = 160
DESCRIPTION_MAX = 1000
CONTACT_MAX = 254
EXTERNAL_ID_MAX = 80
