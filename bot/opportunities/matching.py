"""Which opportunities fit an employee after the scan, each with the most specific true reason.

Pure and deterministic: the same profile, listings and ``now`` always give the same list in
the same order. Only listings the employee may see (:func:`.visibility.is_visible`) and that
meet their hard wishes (hours, scale, online or nearby) are suggested; the rest is ordered by
how well the type fits the scan's direction, shared strengths and the place.

The reason says what is really known (walkthrough of 2026-12-03: every card read "past bij
verbreden", also a scale 9-10 vacancy for a scale-6 employee): a strength the listing asks
for first, then the direction only where the type serves it, then the scale, a wish or the
place. A listing more than one scale step above the employee's own scale is never suggested;
one step up is said honestly, with where to ask what it takes. No two cards in one list read
the same, unless the listings are the same.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from types import MappingProxyType

from bot.opportunities.catalog import (
    COMPETENCES,
    HOURS_MAX,
    HOURS_MIN,
    MODE_HYBRID,
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
    VERBREDEN,
    VERDIEPEN,
    VERLEGGEN,
    VERTICAAL,
)

PLACE_ONLINE = "online"
PLACE_NEARBY = "nearby"
PLACES = (PLACE_ONLINE, PLACE_NEARBY)
DEFAULT_LIMIT = 5
#: How far above their own scale a listing may reach and still be shown: one step.
SCALE_REACH = 1

_V, _S, _E, _T, _B = TYPE_VACANCY, TYPE_SHADOWING, TYPE_EXCHANGE, TYPE_TRAINING, TYPE_EVENT

#: How well each type serves a direction (0-3) and the reason the employee reads; weight 0:
#: the type does not serve it, so the direction is never given as the reason. Some weights
#: still depend on the listing (:func:`_direction_part`): the same field, another municipality,
#: a scale step up.
DIRECTION_FIT: Mapping[str, Mapping[str, tuple[int, str]]] = MappingProxyType(
    {
        VERDIEPEN: {
            _T: (3, "Past bij verdiepen: je wordt nog beter in je eigen vak."),
            _S: (2, "Past bij verdiepen: je ziet hoe collega's elders hetzelfde werk doen."),
            _E: (1, "Past bij verdiepen: je doet je vak een tijd op een andere plek."),
            _V: (1, "Past bij verdiepen: je doet je eigen vak bij een andere gemeente."),
            _B: (0, ""),
        },
        VERBREDEN: {
            _E: (3, "Past bij verbreden: je doet een tijd ander werk naast wat je kent."),
            _S: (3, "Past bij verbreden: je ziet nieuwe taken van dichtbij."),
            _T: (2, "Past bij verbreden: je leert iets nieuws naast je werk."),
            _B: (0, ""),
            _V: (0, ""),
        },
        VERTICAAL: {
            _V: (3, "Past bij een stap omhoog: schaal {step} is een stap hoger dan nu."),
            _E: (1, "Past bij een stap omhoog: je doet tijdelijk ervaring op in een andere rol."),
            _S: (0, ""),
            _T: (0, ""),
            _B: (0, ""),
        },
        VERLEGGEN: {
            _S: (3, "Past bij verleggen: je kijkt eerst een paar dagen mee in ander werk."),
            _E: (2, "Past bij verleggen: je probeert een tijd ander werk."),
            _V: (2, "Past bij verleggen: dit is werk in een ander vak."),
            _T: (1, "Past bij verleggen: je leert de basis van ander werk."),
            _B: (0, ""),
        },
        BUITEN: {
            _V: (3, "Past bij werk buiten je gemeente: dit is een baan bij een andere gemeente."),
            _E: (3, "Past bij werk buiten je gemeente: je werkt een tijd bij een ander."),
            _S: (2, "Past bij werk buiten je gemeente: je kijkt mee bij een andere gemeente."),
            _B: (2, "Past bij werk buiten je gemeente: je ontmoet andere werkgevers."),
            _T: (0, ""),
        },
        BLIJVEN_VITAAL: {
            _T: (3, "Past bij fit blijven in je werk: je blijft bij in je vak."),
            _B: (2, "Past bij fit blijven in je werk: je doet nieuwe energie op."),
            _S: (0, ""),
            _E: (0, ""),
            _V: (0, ""),
        },
    }
)
#: Deepening with a training when the employee's field is unknown: true through a strength.
DEEPEN_STRENGTH_REASON = "Past bij verdiepen: je wordt nog beter in wat je al goed kunt."
#: Moving up when the employee's own scale is unknown: only said as a question.
STEP_UNKNOWN_REASON = "Is {scale} hoger dan je schaal nu? Dan is dit een stap omhoog."

#: A strength in words (after "je bent goed in") and what the listing asks of it.
STRENGTH_WORDS: Mapping[str, tuple[str, str]] = MappingProxyType(
    {
        "contact": ("mensen helpen", "Hier heb je veel contact met mensen."),
        "nauwkeurig": ("zorgvuldig werken", "Hier telt precies werken."),
        "oplossen": ("problemen oplossen", "Hier los je vaak problemen op."),
        "verbeteren": ("het werk slimmer maken", "Hier kun je het werk beter maken."),
        "organiseren": ("plannen en overzicht houden", "Hier plan en regel je veel."),
        "digitaal": ("digitaal werken", "Hier werk je veel met digitale hulpmiddelen."),
        "flexibel": ("omgaan met verandering", "Hier verandert het werk vaak."),
    }
)
#: What a training or event does with a strength (the per-strength line is about work).
STRENGTH_USE_LEARNING: Mapping[str, str] = MappingProxyType(
    {
        _T: "Deze training bouwt daarop voort.",
        _B: "Daar praat je met mensen die dat ook doen.",
    }
)
STRENGTH_OPENERS: tuple[str, ...] = (
    "Je bent goed in {strength}.",
    "Uit je scan: je bent sterk in {strength}.",
    "Je scan noemt {strength} als sterk punt.",
)
TWO_STRENGTHS = "Je bent goed in {first} en {second}. Die heb je hier allebei nodig."
TWO_STRENGTHS_LEARNING = "Je bent goed in {first} en {second}. Hier bouw je daarop voort."

SCALE_STEP_NOTE = "Let op: {scale} is een stap hoger. Vraag P&O wat je daarvoor nodig hebt."
STEP_ASK_NOTE = "Vraag P&O wat je nodig hebt voor die stap."
OWN_SCALE_REASON = "Dit werk past bij je schaal nu."
HOURS_REASON = "Het is {hours} uur per week. Dat past bij wat je zoekt."
SCALE_UNKNOWN_NOTE = "Is {scale} hoger dan je schaal nu? Vraag P&O wat je daarvoor nodig hebt."
OWN_MUNICIPALITY_REASON = "Dit is bij je eigen gemeente."
OWN_REGION_REASON = "Dit is bij {municipality}, in jouw regio."
OWN_REGION_REASONS: tuple[str, ...] = (
    OWN_REGION_REASON,
    "{municipality} ligt in jouw regio.",
    "Je blijft in je eigen regio: dit is bij {municipality}.",
)
OWN_PROVINCE_REASON = "Dit is bij {municipality}, in jouw provincie."
ONLINE_REASON = "Je kunt dit online doen, dus reizen hoeft niet."
ONLINE_REASONS: tuple[str, ...] = (
    ONLINE_REASON,
    "Dit is online, dus je doet mee waar je ook werkt.",
    "Je volgt dit online, vanaf je eigen plek.",
)
#: Names the listing's municipality: only added to tell two cards apart.
WHO_OFFERS: Mapping[str, str] = MappingProxyType(
    {
        _V: "De vacature is bij {municipality}.",
        _S: "Je loopt mee bij {municipality}.",
        _E: "Je gaat een tijd naar {municipality}.",
        _T: "{municipality} deelt deze training.",
        _B: "{municipality} organiseert dit.",
    }
)
HYBRID_REASON = "Je doet dit voor een deel online."
OPEN_IN_PROVINCE_REASON = "Dit staat open voor medewerkers in {province}."
OPEN_ONLINE_REASON = "Dit kun je online volgen, waar je ook werkt."


@dataclass(frozen=True)
class EmployeeProfile:
    """What Koers knows after the scan and the employee's wishes; never who they are.

    ``region_code`` is the labour-market region in which the employee's municipality
    cooperates (None if it does not); ``place`` is ``"online"``, ``"nearby"`` or None.
    ``max_hours``: at most this many hours a week; ``min_scale``: a vacancy should reach at
    least this salary scale; ``scale``: the employee's own scale, when they said it ("ik zit
    in schaal 6"); ``work_area``: the employee's current field, if known.
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
    scale: int | None = None

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
        for name in ("min_scale", "scale"):
            value = getattr(self, name)
            if value is not None and not SCALE_MIN <= value <= SCALE_MAX:
                raise ValueError(f"{name} must be {SCALE_MIN}-{SCALE_MAX}")
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


def above_reach(profile: EmployeeProfile, item: OpportunityFacts) -> bool:
    """More than one scale step above the employee's own scale (unknown scales never are)."""
    return (
        profile.scale is not None
        and item.scale_min is not None
        and item.scale_min > profile.scale + SCALE_REACH
    )


def meets_wishes(profile: EmployeeProfile, item: OpportunityFacts) -> bool:
    """The hard wishes and the reach: hours, scale, online/nearby. Unknown values never exclude."""
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
    if too_many_hours or scale_too_low or above_reach(profile, item):
        return False
    if profile.place == PLACE_ONLINE and item.mode == MODE_ON_LOCATION:
        return False
    if profile.place == PLACE_NEARBY and item.mode != MODE_ONLINE:
        return _nearby(profile, item)
    return True


def scale_words(item: OpportunityFacts) -> str | None:
    """ "schaal 7", "schaal 9 tot en met 10" (as on the card), or None without a scale."""
    if item.scale_min is None or item.scale_max is None:
        return None
    if item.scale_min == item.scale_max:
        return f"schaal {item.scale_min}"
    return f"schaal {item.scale_min} tot en met {item.scale_max}"


def _step_up(profile: EmployeeProfile, item: OpportunityFacts) -> int | None:
    """The scale one step above the employee's own, when the listing reaches it."""
    if profile.scale is None or item.scale_min is None or item.scale_max is None:
        return None
    step = profile.scale + SCALE_REACH
    return step if item.scale_min <= step <= item.scale_max else None


def _shared(profile: EmployeeProfile, item: OpportunityFacts) -> list[str]:
    return [key for key in profile.strengths if key in item.competences]


def _direction_part(profile: EmployeeProfile, item: OpportunityFacts) -> tuple[int, str]:
    """The direction's weight for this listing and its reason (0, "": it does not serve it)."""
    direction = profile.direction
    if direction is None:
        return 0, ""
    weight, reason = DIRECTION_FIT[direction][item.kind]
    own = _own_municipality(profile, item)
    known_areas = profile.work_area is not None and item.work_area is not None
    same_area = known_areas and profile.work_area == item.work_area
    other_area = known_areas and not same_area
    kind = item.kind
    if direction == BUITEN and own:
        return 0, ""  # the point is another employer
    if direction == VERLEGGEN and (
        (kind in (_V, _T) and not other_area) or (kind == _V and own) or same_area
    ):
        return 0, ""  # a change of field needs a different field
    if direction == VERDIEPEN and kind == _T and not same_area:
        if profile.work_area is None and _shared(profile, item):
            return 2, DEEPEN_STRENGTH_REASON  # the field is unknown, the strength is not
        return 0, ""
    if weight == 0:
        return 0, ""
    if direction == VERDIEPEN:
        if not same_area or (kind == _V and own):
            return 0, ""  # deepening is the same work, elsewhere
        return weight + 1, reason
    if direction == VERLEGGEN and other_area:
        return weight + 1, reason
    if direction == VERTICAAL and kind == _V:
        step = _step_up(profile, item)
        if step is not None:
            return weight + 1, reason.format(step=step)
        scale = scale_words(item)
        if profile.scale is None and scale is not None:
            return weight, STEP_UNKNOWN_REASON.format(scale=scale)
        return 0, ""  # not above the own scale, or no scale to tell
    if direction == VERTICAAL and kind == _E and profile.scale is not None:
        return (weight, reason) if _step_up(profile, item) else (0, "")
    return weight, reason


def _strength_texts(shared: list[str], item: OpportunityFacts) -> list[str]:
    """Ways to say the shared strengths, most direct first (a different opener per listing)."""
    if not shared:
        return []
    learning = item.kind in STRENGTH_USE_LEARNING
    if len(shared) >= 2:
        first, second = (STRENGTH_WORDS[key][0] for key in shared[:2])
        two = TWO_STRENGTHS_LEARNING if learning else TWO_STRENGTHS
        texts = [two.format(first=first, second=second)]
    else:
        texts = []
    words, use = STRENGTH_WORDS[shared[0]]
    if learning:
        use = STRENGTH_USE_LEARNING[item.kind]
    start = item.id % len(STRENGTH_OPENERS)
    openers = STRENGTH_OPENERS[start:] + STRENGTH_OPENERS[:start]
    texts += [f"{opener.format(strength=words)} {use}" for opener in openers]
    return texts


def _rotated(options: tuple[str, ...], item: OpportunityFacts) -> tuple[str, ...]:
    """The same wordings, starting at one that depends on the listing: cards vary."""
    start = item.id % len(options)
    return options[start:] + options[:start]


def _place_texts(profile: EmployeeProfile, item: OpportunityFacts) -> tuple[str, ...]:
    name = item.municipality_name
    if item.mode == MODE_ONLINE:
        return _rotated(ONLINE_REASONS, item)
    if _own_municipality(profile, item):
        return (OWN_MUNICIPALITY_REASON,)
    if profile.region_code is not None and profile.region_code == item.region_code:
        return tuple(text.format(municipality=name) for text in _rotated(OWN_REGION_REASONS, item))
    if profile.province is not None and profile.province == item.province:
        return (OWN_PROVINCE_REASON.format(municipality=name),)
    return ()


def _scale_note(profile: EmployeeProfile, item: OpportunityFacts) -> str | None:
    """One honest line on a scale: a step up, the own scale, or a question when unknown."""
    scale = scale_words(item)
    if scale is None or item.scale_min is None or item.scale_max is None:
        return None
    if profile.scale is None:
        return SCALE_UNKNOWN_NOTE.format(scale=scale) if item.kind == TYPE_VACANCY else None
    if item.scale_min > profile.scale:
        return SCALE_STEP_NOTE.format(scale=f"schaal {item.scale_min}")
    if item.scale_min <= profile.scale <= item.scale_max:
        return OWN_SCALE_REASON
    return None


@dataclass(frozen=True)
class _Scored:
    """A listing's score and its reason lines, most specific first.

    A card shows the first two; the last line, who offers it, only tells two cards apart.
    """

    score: int
    #: Each entry: alternative wordings of one reason (the first that is not taken wins).
    lines: tuple[tuple[str, ...], ...]


def _score(profile: EmployeeProfile, item: OpportunityFacts) -> _Scored:
    """Total score, and the true reasons in order: strength, direction, scale, wish, place."""
    score = 0
    lines: list[tuple[str, ...]] = []
    shared = _shared(profile, item)
    if shared:
        score += min(len(shared), 2)
        lines.append(tuple(_strength_texts(shared, item)))
    weight, direction_text = _direction_part(profile, item)
    if weight > 0:
        score += weight
        lines.append((direction_text,))
    note = _scale_note(profile, item)
    moving_up = weight > 0 and profile.direction == VERTICAAL and item.kind == TYPE_VACANCY
    if note is not None and not moving_up:
        lines.append((note,))
    elif note is not None and profile.scale is not None and note != OWN_SCALE_REASON:
        lines.append((STEP_ASK_NOTE,))
    if profile.max_hours is not None and item.hours_per_week is not None:
        lines.append((HOURS_REASON.format(hours=item.hours_per_week),))
    if profile.place == PLACE_ONLINE and item.mode in (MODE_ONLINE, MODE_HYBRID):
        score += 1
        if item.mode == MODE_HYBRID:
            lines.append((HYBRID_REASON,))
    nearby = item.mode != MODE_ONLINE and _nearby(profile, item)
    if nearby and (profile.region_code or _own_municipality(profile, item)):
        score += 1
    if profile.place == PLACE_NEARBY and nearby:
        score += 1
    place = _place_texts(profile, item)
    if place:
        lines.append(place)
    if not lines:
        if item.mode == MODE_ONLINE and item.province != profile.province:
            lines.append((OPEN_ONLINE_REASON,))
        else:
            lines.append((OPEN_IN_PROVINCE_REASON.format(province=item.province),))
    lines.append((WHO_OFFERS[item.kind].format(municipality=item.municipality_name),))
    return _Scored(score, tuple(lines))


def _reason_options(scored: _Scored) -> list[str]:
    """The card's reason in every wording, best first; a last line only tells cards apart."""
    *lines, who = scored.lines
    first, *rest = lines
    second = rest[0] if rest else ("",)
    options = [" ".join(part for part in (a, b) if part) for a in first for b in second]
    return options + [f"{option} {who[0]}" for option in options]


def _distinct(reasons: list[list[str]]) -> list[str]:
    """Per card the first wording not used by an earlier card (the first one if all are)."""
    used: set[str] = set()
    chosen = []
    for options in reasons:
        pick = next((option for option in options if option not in used), options[0])
        used.add(pick)
        chosen.append(pick)
    return chosen


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
    scored: list[tuple[Match, _Scored]] = []
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
        if not visible or not meets_wishes(profile, item):
            continue
        found = _score(profile, item)
        scored.append((Match(item, "", found.score), found))
    scored.sort(key=lambda pair: _order_key(pair[0]))
    reasons = _distinct([_reason_options(found) for _, found in scored])
    pairs = zip(scored, reasons, strict=True)
    matches = [replace(pair[0], reason=reason) for pair, reason in pairs]
    return matches[:limit]
