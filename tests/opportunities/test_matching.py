"""Matching opportunities to the scan: unit tests and properties (hypothesis)."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.opportunities import matching
from bot.opportunities.catalog import COMPETENCES, MODES, TYPES, WORK_AREAS
from bot.opportunities.facts import OpportunityFacts
from bot.opportunities.matching import (
    DIRECTION_FIT,
    EmployeeProfile,
    meets_wishes,
    suggest,
)
from bot.opportunities.visibility import is_visible
from bot.scan.questions import DIRECTIONS
from tests.opportunities.factories import NOW, OTHER_REGION, REGION, assert_plain_dutch, facts

HOME = dict(municipality_code="GM9901", region_code=REGION, province="Gelderland")


def catalogue() -> list[OpportunityFacts]:
    return [
        facts(
            id=1,
            kind="vacature",
            title="Baliemedewerker",
            work_area="burgerzaken",
            scale_min=6,
            scale_max=7,
            hours_per_week=36,
            competences=("contact",),
        ),
        facts(
            id=2,
            kind="meeloopstage",
            title="Meelopen bij Vergunningen",
            work_area="ruimte",
            hours_per_week=8,
            competences=("nauwkeurig", "oplossen"),
        ),
        facts(
            id=3,
            kind="uitwisseling",
            title="Detachering DIV",
            work_area="informatie",
            hours_per_week=24,
            competences=("digitaal",),
        ),
        facts(
            id=4,
            kind="training",
            title="Online Excel",
            mode="online",
            province="Zeeland",
            region_code="zeeland-test",
            municipality_code="GM9932",
            competences=("digitaal",),
        ),
        facts(id=5, kind="bijeenkomst", title="Symposium", starts_on=date(2025, 4, 2)),
        facts(
            id=6,
            kind="vacature",
            title="Teamleider",
            scale_min=10,
            scale_max=11,
            hours_per_week=36,
            work_area="dienstverlening",
            competences=("organiseren",),
        ),
        facts(
            id=7,
            kind="training",
            title="Zaakgericht werken",
            mode="hybrid",
            work_area="informatie",
            competences=("digitaal", "organiseren"),
        ),
    ]


def test_verbreden_puts_shadowing_and_exchanges_first_with_the_reason() -> None:
    profile = EmployeeProfile(direction="verbreden", **HOME)
    found = suggest(profile, catalogue(), NOW, 10)
    assert {found[0].opportunity.kind, found[1].opportunity.kind} == {
        "meeloopstage",
        "uitwisseling",
    }
    exchange = next(m for m in found if m.opportunity.kind == "uitwisseling")
    assert exchange.reason.startswith("Past bij verbreden: je doet een tijd ander werk")
    vacancy = next(m for m in found if m.opportunity.kind == "vacature")
    assert "verbreden" not in vacancy.reason  # a vacancy is not broadening


def test_strengths_lift_listings_that_ask_for_them() -> None:
    profile = EmployeeProfile(direction="verdiepen", strengths=("digitaal",), **HOME)
    found = suggest(profile, catalogue(), NOW)
    assert found[0].opportunity.id == 7  # a training that needs the employee's strength
    plain = EmployeeProfile(strengths=("nauwkeurig",), **HOME)
    first = suggest(plain, catalogue(), NOW)[0]
    assert first.opportunity.id == 2
    assert "zorgvuldig werken" in first.reason and "Hier telt precies werken." in first.reason


def test_hours_and_scale_wishes_exclude() -> None:
    few_hours = EmployeeProfile(max_hours=24, **HOME)
    assert all(
        (m.opportunity.hours_per_week or 0) <= 24 for m in suggest(few_hours, catalogue(), NOW, 10)
    )
    higher = EmployeeProfile(direction="verticaal", min_scale=9, scale=9, **HOME)
    found = suggest(higher, catalogue(), NOW, 10)
    ids = [m.opportunity.id for m in found]
    assert 1 not in ids and ids[0] == 6
    assert found[0].reason.startswith("Past bij een stap omhoog: schaal 10 is een stap hoger")
    assert "Vraag P&O" in found[0].reason


def test_online_and_nearby_wishes() -> None:
    online = suggest(EmployeeProfile(place="online", **HOME), catalogue(), NOW, 10)
    assert {m.opportunity.mode for m in online} <= {"online", "hybrid"}
    assert any(m.reason in matching.ONLINE_REASONS for m in online)
    far = facts(id=9, kind="meeloopstage", region_code=OTHER_REGION)
    nearby = EmployeeProfile(place="nearby", **HOME)
    assert not meets_wishes(nearby, far)
    assert meets_wishes(nearby, catalogue()[1])
    assert meets_wishes(nearby, catalogue()[3])  # online is near everyone


def test_buiten_never_sells_the_own_municipality_as_elsewhere() -> None:
    own = facts(id=11, kind="vacature", municipality_code="GM9901", title="Eigen vacature")
    other = facts(id=12, kind="vacature", municipality_code="GM9921", title="Andere vacature")
    found = suggest(EmployeeProfile(direction="buiten", **HOME), [own, other], NOW)
    assert [m.opportunity.id for m in found] == [12, 11]
    assert "andere gemeente" in found[0].reason
    assert "andere gemeente" not in found[1].reason


def test_verleggen_wants_another_field() -> None:
    same = facts(id=21, work_area="burgerzaken", title="Zelfde vak")
    other = facts(id=22, work_area="sociaal_domein", title="Ander vak")
    profile = EmployeeProfile(direction="verleggen", work_area="burgerzaken", **HOME)
    found = suggest(profile, [same, other], NOW)
    assert found[0].opportunity.id == 22
    assert found[0].reason.startswith("Past bij verleggen: dit is werk in een ander vak.")


def test_invisible_listings_are_never_suggested() -> None:
    young = facts(id=31, published_at=NOW - timedelta(days=2))
    outsider = EmployeeProfile(
        direction="buiten",
        municipality_code="GM9922",
        region_code=OTHER_REGION,
        province="Gelderland",
    )
    assert suggest(outsider, [young], NOW) == []
    assert [m.opportunity.id for m in suggest(outsider, [young], NOW + timedelta(days=12))] == [31]
    assert suggest(outsider, [young], NOW + timedelta(days=12), regional_first_days=20) == []


def test_kinds_limit_and_fallback_reason() -> None:
    profile = EmployeeProfile(**HOME)
    only = suggest(profile, catalogue(), NOW, kinds={"training"})
    assert {m.opportunity.kind for m in only} == {"training"}
    assert len(suggest(profile, catalogue(), NOW, limit=2)) == 2
    assert suggest(profile, catalogue(), NOW, limit=0) == []
    stranger = EmployeeProfile()
    found = suggest(stranger, catalogue(), NOW)
    assert [m.opportunity.id for m in found] == [4]
    assert found[0].reason in matching.ONLINE_REASONS


def test_bad_profiles_are_refused() -> None:
    with pytest.raises(ValueError):
        EmployeeProfile(direction="weg")
    with pytest.raises(ValueError):
        EmployeeProfile(strengths=("toveren",))
    with pytest.raises(ValueError):
        EmployeeProfile(place="maan")
    with pytest.raises(ValueError):
        EmployeeProfile(max_hours=0)
    with pytest.raises(ValueError):
        EmployeeProfile(min_scale=19)


def test_every_reason_is_plain_dutch() -> None:
    reasons = [reason for table in DIRECTION_FIT.values() for _, reason in table.values() if reason]
    for direction in DIRECTIONS:
        for match in suggest(
            EmployeeProfile(direction=direction, strengths=COMPETENCES[:2], **HOME),
            catalogue(),
            NOW,
            10,
        ):
            reasons.append(match.reason)
    for reason in reasons:
        assert_plain_dutch(reason, max_words=15)
        assert reason.endswith(".")
    assert set(DIRECTION_FIT) == set(DIRECTIONS)
    assert all(set(table) == set(TYPES) for table in DIRECTION_FIT.values())


def test_a_listing_far_above_the_own_scale_is_never_suggested() -> None:
    """Walkthrough 2026-12-03: a scale 9-10 job was shown to a scale-6 employee as fitting."""
    high = facts(id=41, title="Coördinator Wmo", scale_min=9, scale_max=10)
    step = facts(id=42, title="Medewerker DIV", scale_min=6, scale_max=8)
    profile = EmployeeProfile(direction="verbreden", scale=6, **HOME)
    found = suggest(profile, [high, step], NOW)
    assert [m.opportunity.id for m in found] == [42]
    assert "verbreden" not in found[0].reason  # a vacancy is no broadening
    assert "schaal nu" in found[0].reason
    up = suggest(EmployeeProfile(direction="verticaal", scale=6, **HOME), [high, step], NOW)
    assert [m.opportunity.id for m in up] == [42]
    assert up[0].reason.startswith("Past bij een stap omhoog: schaal 7 is een stap hoger")
    one_up = facts(id=43, title="Senior KCC", scale_min=7, scale_max=7)
    [honest] = suggest(EmployeeProfile(direction="verbreden", scale=6, **HOME), [one_up], NOW)
    assert "stap hoger" in honest.reason and "Vraag P&O" in honest.reason


def test_an_unknown_own_scale_is_asked_not_assumed() -> None:
    high = facts(id=44, title="Coördinator Wmo", scale_min=9, scale_max=10)
    [match] = suggest(EmployeeProfile(direction="verticaal", **HOME), [high], NOW)
    assert match.reason.startswith("Is schaal 9 tot en met 10 hoger dan je schaal nu?")
    [other] = suggest(EmployeeProfile(direction="verbreden", **HOME), [high], NOW)
    assert "Vraag P&O" in other.reason and "Past bij" not in other.reason


def test_a_shared_strength_is_the_first_reason_and_names_the_work() -> None:
    plan = facts(id=45, kind="uitwisseling", title="Projectplanner", competences=("organiseren",))
    profile = EmployeeProfile(direction="verbreden", strengths=("organiseren",), **HOME)
    [match] = suggest(profile, [plan], NOW)
    assert "plannen" in match.reason and "Hier plan en regel je veel." in match.reason
    assert match.reason.index("plannen") < match.reason.index("Past bij verbreden")


def test_the_direction_is_only_the_reason_where_the_type_serves_it() -> None:
    kinds = {kind: facts(id=50 + i, kind=kind, title=kind) for i, kind in enumerate(TYPES)}
    broad = suggest(EmployeeProfile(direction="verbreden", **HOME), kinds.values(), NOW, 10)
    named = {m.opportunity.kind for m in broad if "verbreden" in m.reason}
    assert named == {"meeloopstage", "uitwisseling", "training"}
    own_field = facts(id=60, kind="training", title="Vak", work_area="burgerzaken")
    other_field = facts(id=61, kind="training", title="Ander", work_area="financien")
    deep = EmployeeProfile(direction="verdiepen", work_area="burgerzaken", **HOME)
    found = {m.opportunity.id: m.reason for m in suggest(deep, [own_field, other_field], NOW)}
    assert "verdiepen" in found[60] and "verdiepen" not in found[61]


def test_no_two_cards_read_the_same() -> None:
    same = [
        facts(id=70 + i, kind="training", title=f"Online {i}", mode="online", province="Zeeland")
        for i in range(5)
    ]
    found = suggest(EmployeeProfile(**HOME), same, NOW, 10)
    assert len({m.reason for m in found}) == len(found) == 5
    many = suggest(
        EmployeeProfile(direction="verbreden", strengths=("contact",), **HOME), catalogue(), NOW, 10
    )
    assert len({m.reason for m in many}) == len(many)


# --- properties ---------------------------------------------------------------------------

listing = st.builds(
    facts,
    id=st.integers(min_value=1, max_value=40),
    kind=st.sampled_from(TYPES),
    title=st.sampled_from(["A", "B", "C"]),
    mode=st.sampled_from(MODES),
    municipality_code=st.sampled_from(["GM9901", "GM9921", "GM9922"]),
    region_code=st.sampled_from([REGION, OTHER_REGION]),
    province=st.sampled_from(["Gelderland", "Utrecht"]),
    work_area=st.one_of(st.none(), st.sampled_from(list(WORK_AREAS))),
    hours_per_week=st.one_of(st.none(), st.integers(min_value=1, max_value=40)),
    scale_min=st.just(None),
    competences=st.lists(st.sampled_from(COMPETENCES), max_size=3, unique=True).map(tuple),
    published_at=st.integers(min_value=-30, max_value=2).map(lambda d: NOW + timedelta(days=d)),
    closed_at=st.one_of(st.none(), st.integers(-5, 5).map(lambda d: NOW + timedelta(days=d))),
    respond_by=st.one_of(st.none(), st.integers(-3, 30).map(lambda d: NOW.date() + timedelta(d))),
).map(
    lambda item: item
    if item.scale_min is not None
    else OpportunityFacts(**{**item.__dict__, "scale_min": 5, "scale_max": 5 + item.id % 6})
)
profiles = st.builds(
    EmployeeProfile,
    direction=st.one_of(st.none(), st.sampled_from(DIRECTIONS)),
    strengths=st.lists(st.sampled_from(COMPETENCES), max_size=3, unique=True).map(tuple),
    municipality_code=st.sampled_from([None, "GM9901", "GM9922"]),
    region_code=st.sampled_from([None, REGION, OTHER_REGION]),
    province=st.sampled_from([None, "Gelderland", "Utrecht"]),
    max_hours=st.one_of(st.none(), st.integers(min_value=1, max_value=40)),
    min_scale=st.one_of(st.none(), st.integers(min_value=1, max_value=18)),
    place=st.sampled_from([None, "online", "nearby"]),
    work_area=st.one_of(st.none(), st.sampled_from(list(WORK_AREAS))),
    scale=st.one_of(st.none(), st.integers(min_value=1, max_value=18)),
)


@settings(max_examples=250, deadline=None)
@given(
    profile=profiles,
    items=st.lists(listing, max_size=25),
    limit=st.integers(0, 8),
    seed=st.integers(0, 1000),
)
def test_suggestions_keep_their_promises(
    profile: EmployeeProfile, items: list[OpportunityFacts], limit: int, seed: int
) -> None:
    found = suggest(profile, items, NOW, limit)
    assert len(found) <= limit
    ids = [m.opportunity.id for m in found]
    assert len(ids) == len(set(ids))
    for match in found:
        item = match.opportunity
        assert is_visible(item, profile.region_code, profile.province, NOW)
        assert meets_wishes(profile, item)
        assert match.reason.strip() and match.reason.endswith(".")
        if profile.scale is not None and item.scale_min is not None:
            assert item.scale_min <= profile.scale + 1  # never beyond one step up
        if "Past bij" in match.reason and profile.direction is not None:
            assert DIRECTION_FIT[profile.direction][item.kind][0] > 0 or (
                profile.direction == "verdiepen" and item.kind == "training"
            )

    # cards differ unless their listings are the same but for the id
    def same_listing(a: OpportunityFacts, b: OpportunityFacts) -> bool:
        return {**a.__dict__, "id": 0} == {**b.__dict__, "id": 0}

    for i, first in enumerate(found):
        for second in found[i + 1 :]:
            if first.reason == second.reason:
                assert same_listing(first.opportunity, second.opportunity) or (
                    first.opportunity.municipality_name == second.opportunity.municipality_name
                )
    scores = [m.score for m in found]
    assert scores == sorted(scores, reverse=True)
    # deterministic: the order of the input does not matter (ids are unique per listing)
    unique = list({item.id: item for item in reversed(items)}.values())
    shuffled = unique[:]
    random.Random(seed).shuffle(shuffled)
    assert suggest(profile, shuffled, NOW, limit) == suggest(profile, unique, NOW, limit)
    # nothing better was left out: every skipped eligible listing scores no higher
    if len(found) == limit and found:
        everything = suggest(profile, unique, NOW, len(unique))
        assert all(m.score <= found[-1].score for m in everything[limit:])
