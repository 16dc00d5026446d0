"""Which opportunities fit an employee after the scan, each with one plain reason why.

Pure and deterministic: the same profile, listings and ``now`` always give the same list in
the same order. Only listings the employee may see (:func:`.visibility.is_visible`) and that
meet their hard wishes (hours, scale, online or nearby) are suggested; the rest is ordered by
how well the type fits the scan's direction, shared strengths and the place.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from types import MappingProxyType

from bot.opportunities.catalog import (
    COMPETENCES,
    HOURS_MAX,
    HOURS_MIN,
    MODE_ON_LOCATION,
    MODE_ONLINE,
    SCALE_MAX,
    SCALE_MIN,
    TYPE_EVENT,
    TYPE_EXCHANGE,
    TYPE_SHADOWING,
    TYPE_TRAINING,
    TYPE_VACANCY,
    TYPES,
    WORK_AREAS,
)
from bot.opportunities.facts import OpportunityFacts
from bot.opportunities.visibility import DEFAULT_REGIONAL_FIRST_DAYS, is_visible
from bot.scan.questions import (
    BLIJVEN_VITAAL,
    BUITEN,
    DIRECTIONS,
    STRENGTH_LABELS,
    VERBREDEN,
    VERDIEPEN,
    VERLEGGEN,
    VERTICAAL,
)

PLACE_ONLINE = "online"
PLACE_NEARBY = "nearby"
PLACES = (PLACE_ONLINE, PLACE_NEARBY)
DEFAULT_LIMIT = 5

_V, _S, _E, _T, _B = TYPE_VACANCY, TYPE_SHADOWING, TYPE_EXCHANGE, TYPE_TRAINING, TYPE_EVENT

#: How well each type serves a direction (0-3), and the reason the employee reads.
DIRECTION_FIT: Mapping[str, Mapping[str, tuple[int, str]]] = MappingProxyType(
    {
        VERDIEPEN: {
            _T: (3, "Past bij verdiepen: je wordt nog beter in je vak."),
            _S: (2, "Past bij verdiepen: je ziet hoe collega's elders hetzelfde werk doen."),
            _B: (1, "Past bij verdiepen: je leert van vakgenoten uit de regio."),
            _E: (1, "Past bij verdiepen: je doet je vak een tijd op een andere plek."),
            _V: (1, "Past bij verdiepen: je doet je eigen vak bij een andere gemeente."),
        },
        VERBREDEN: {
            _E: (3, "Past bij verbreden: je krijgt er nieuwe taken bij."),
            _S: (3, "Past bij verbreden: je ziet nieuwe taken van dichtbij."),
            _T: (2, "Past bij verbreden: je leert iets nieuws naast je werk."),
            _B: (1, "Past bij verbreden: je ontmoet mensen uit ander werk."),
            _V: (1, "Past bij verbreden: je krijgt er nieuwe taken bij."),
        },
        VERTICAAL: {
            _V: (3, "Past bij een stap omhoog: dit is een kans om door te groeien."),
            _E: (2, "Past bij een stap omhoog: je doet tijdelijk ervaring op in een andere rol."),
            _S: (1, "Past bij een stap omhoog: je ziet hoe een andere functie werkt."),
            _T: (1, "Past bij een stap omhoog: je bouwt kennis op voor een volgende stap."),
            _B: (1, "Past bij een stap omhoog: je bouwt een netwerk op."),
        },
        VERLEGGEN: {
            _S: (3, "Past bij verleggen: je kijkt eerst een paar dagen mee in ander werk."),
            _E: (2, "Past bij verleggen: je probeert een tijd ander werk."),
            _V: (2, "Past bij verleggen: dit is werk in een ander vak."),
            _T: (1, "Past bij verleggen: je leert de basis van ander werk."),
            _B: (1, "Past bij verleggen: je hoort wat er nog meer is."),
        },
        BUITEN: {
            _V: (3, "Past bij werk buiten je gemeente: dit is een baan bij een andere gemeente."),
            _E: (3, "Past bij werk buiten je gemeente: je werkt een tijd bij een ander."),
            _S: (2, "Past bij werk buiten je gemeente: je kijkt mee bij een andere gemeente."),
            _B: (2, "Past bij werk buiten je gemeente: je ontmoet andere werkgevers."),
            _T: (1, "Past bij werk buiten je gemeente: je leert samen met andere gemeenten."),
        },
        BLIJVEN_VITAAL: {
            _T: (3, "Past bij fit blijven in je werk: je blijft bij in je vak."),
            _B: (2, "Past bij fit blijven in je werk: je doet nieuwe energie op."),
            _S: (1, "Past bij fit blijven in je werk: je kijkt met andere ogen naar je werk."),
            _E: (0, ""),
            _V: (0, ""),
        },
    }
)

OWN_MUNICIPALITY_REASON = "Dit is bij je eigen gemeente, dus dicht bij huis."
OWN_REGION_REASON = "Dit is dicht bij huis, in je eigen regio."
OWN_PROVINCE_REASON = "Dit is in je eigen provincie."
ONLINE_REASON = "Je kunt dit online doen, dus reizen hoeft niet."
STRENGTH_REASON = "Je sterke punt komt hier goed van pas: {strength}."
OPEN_IN_PROVINCE_REASON = "Dit staat open voor medewerkers in {province}."
OPEN_ONLINE_REASON = "Dit kun je online volgen, waar je ook werkt."


@dataclass(frozen=True)
class EmployeeProfile:
    """What Koers knows after the scan and the employee's wishes; never who they are.

    ``region_code`` is the labour-market region in which the employee's municipality
    cooperates (None if it does not); ``place`` is ``"online"``, ``"nearby"`` or None.
    ``max_hours``: at most this many hours a week; ``min_scale``: a vacancy should reach at
    least this salary scale; ``work_area``: the employee's current field, if known.
    """

    direction: str | None = None
    strengths: tuple[str, ...] = ()
    municipality_code: str | None = None
    region_code: str | None = None
    province: str | None = None
    max_hours: int | None = None
    min_scale: int | None = None
    place: str | None = None
    work_area: str | None = None

    def __post_init__(self) -> None:
        if self.direction is not None and self.direction not in DIRECTIONS:
            raise ValueError(f"unknown direction {self.direction!r}")
        unknown = [item for item in self.strengths if item not in COMPETENCES]
        if unknown:
            raise ValueError(f"unknown strengths {unknown}")
        if self.place is not None and self.place not in PLACES:
            raise ValueError(f"place must be one of {PLACES}, not {self.place!r}")
        if self.max_hours is not None and not HOURS_MIN <= self.max_hours <= HOURS_MAX:
            raise ValueError(f"max_hours must be {HOURS_MIN}-{HOURS_MAX}")
        if self.min_scale is not None and not SCALE_MIN <= self.min_scale <= SCALE_MAX:
            raise ValueError(f"min_scale must be {SCALE_MIN}-{SCALE_MAX}")
        if self.work_area is not None and self.work_area not in WORK_AREAS:
            raise ValueError(f"unknown work area {self.work_area!r}")


@dataclass(frozen=True)
class Match:
    opportunity: OpportunityFacts
    reason: str
    score: int


def _own_municipality(profile: EmployeeProfile, item: OpportunityFacts) -> bool:
    return profile.municipality_code is not None and profile.municipality_code == (
        item.municipality_code
    )


def _nearby(profile: EmployeeProfile, item: OpportunityFacts) -> bool:
    """Own municipality or own labour-market region (the province, if no region is known)."""
    if _own_municipality(profile, item):
        return True
    if profile.region_code is not None:
        return profile.region_code == item.region_code
    return profile.province is not None and profile.province == item.province


def meets_wishes(profile: EmployeeProfile, item: OpportunityFacts) -> bool:
    """The hard wishes: hours, scale and online/nearby. Unknown values never exclude."""
    too_many_hours = (
        profile.max_hours is not None
        and item.hours_per_week is not None
        and item.hours_per_week > profile.max_hours
    )
    scale_too_low = (
        profile.min_scale is not None
        and item.kind == TYPE_VACANCY
        and item.scale_max is not None
        and item.scale_max < profile.min_scale
    )
    if too_many_hours or scale_too_low:
        return False
    if profile.place == PLACE_ONLINE and item.mode == MODE_ON_LOCATION:
        return False
    if profile.place == PLACE_NEARBY and item.mode != MODE_ONLINE:
        return _nearby(profile, item)
    return True


def _direction_part(profile: EmployeeProfile, item: OpportunityFacts) -> tuple[int, str]:
    """The direction's weight for this listing (0: it does not serve the direction)."""
    direction = profile.direction
    if direction is None:
        return 0, ""
    weight, reason = DIRECTION_FIT[direction][item.kind]
    own = _own_municipality(profile, item)
    same_area = profile.work_area is not None and profile.work_area == item.work_area
    other_area = profile.work_area is not None and item.work_area is not None and not same_area
    vacancy = item.kind == TYPE_VACANCY
    if direction == BUITEN and own:
        return 0, ""  # the point is another employer
    if direction == VERLEGGEN and vacancy and (own or not other_area):
        return 0, ""  # a change of field needs a different field
    if direction == VERDIEPEN and vacancy and (own or not same_area):
        return 0, ""  # deepening is the same work, elsewhere
    if (direction == VERDIEPEN and same_area) or (direction == VERLEGGEN and other_area):
        weight += 1
    if direction == VERTICAAL and vacancy and profile.min_scale and item.scale_max:
        weight += 1  # the vacancy reaches the scale the employee hopes for
    return weight, reason


def _score(profile: EmployeeProfile, item: OpportunityFacts) -> tuple[int, str]:
    """Total score and the reason of its biggest part (direction, then strength, then place)."""
    parts: list[tuple[int, int, str]] = []
    weight, reason = _direction_part(profile, item)
    if weight > 0:
        parts.append((weight, 3, reason))
    shared = [key for key in profile.strengths if key in item.competences]
    if shared:
        label = STRENGTH_LABELS[shared[0]]
        parts.append((min(len(shared), 2), 2, STRENGTH_REASON.format(strength=label.lower())))
    if _own_municipality(profile, item) and item.mode != MODE_ONLINE:
        parts.append((1, 1, OWN_MUNICIPALITY_REASON))
    elif _nearby(profile, item) and item.mode != MODE_ONLINE and profile.region_code:
        parts.append((1, 1, OWN_REGION_REASON))
    if item.mode == MODE_ONLINE and profile.place == PLACE_ONLINE:
        parts.append((1, 1, ONLINE_REASON))
    if profile.place == PLACE_NEARBY and _nearby(profile, item):
        in_region = profile.region_code is not None and profile.region_code == item.region_code
        parts.append((1, 0, OWN_REGION_REASON if in_region else OWN_PROVINCE_REASON))
    total = sum(part[0] for part in parts)
    if parts:
        return total, max(parts)[2]
    if item.mode == MODE_ONLINE and item.province != profile.province:
        return 0, OPEN_ONLINE_REASON
    return 0, OPEN_IN_PROVINCE_REASON.format(province=item.province)


def _order_key(match: Match) -> tuple[int, date, int, str, int]:
    item = match.opportunity
    return (-match.score, item.last_day or date.max, TYPES.index(item.kind), item.title, item.id)


def suggest(
    profile: EmployeeProfile,
    opportunities: Iterable[OpportunityFacts],
    now: datetime,
    limit: int = DEFAULT_LIMIT,
    *,
    kinds: Collection[str] | None = None,
    regional_first_days: int = DEFAULT_REGIONAL_FIRST_DAYS,
) -> list[Match]:
    """Up to ``limit`` visible listings that meet the wishes, best first, each with a reason.

    ``kinds`` narrows to the types the employee asked for ("kan ik ergens meelopen?"). Ties
    go to the listing that closes first, then type, title and id, so the order is stable.
    """
    if limit <= 0:
        return []
    matches = []
    seen: set[int] = set()
    for item in opportunities:
        if item.id in seen or (kinds is not None and item.kind not in kinds):
            continue
        seen.add(item.id)
        visible = is_visible(
            item,
            profile.region_code,
            profile.province,
            now,
            regional_first_days=regional_first_days,
        )
        if not visible:
            continue
        if not meets_wishes(profile, item):
            continue
        score, reason = _score(profile, item)
        matches.append(Match(item, reason, score))
    matches.sort(key=_order_key)
    return matches[:limit]
