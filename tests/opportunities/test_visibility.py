"""The visibility rule of the regional internal labour market, with a controlled clock."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.clock import LOCAL_TZ
from bot.opportunities.catalog import MODES, TYPES
from bot.opportunities.visibility import is_open, is_visible, province_wide_from
from tests.opportunities.factories import NOW, OTHER_REGION, REGION, facts

SECOND = timedelta(seconds=1)
FOURTEEN = timedelta(days=14)


def test_a_vacancy_is_regional_for_fourteen_days_then_province_wide() -> None:
    vacancy = facts(published_at=NOW)
    just_before = NOW + FOURTEEN - SECOND
    at_boundary = NOW + FOURTEEN
    # cooperating municipality in the region: from the first moment
    assert is_visible(vacancy, REGION, "Gelderland", NOW)
    assert is_visible(vacancy, REGION, "Gelderland", just_before)
    # the rest of the province: only from day 14 on
    assert not is_visible(vacancy, OTHER_REGION, "Gelderland", NOW)
    assert not is_visible(vacancy, None, "Gelderland", just_before)
    assert is_visible(vacancy, OTHER_REGION, "Gelderland", at_boundary)
    assert is_visible(vacancy, None, "Gelderland", at_boundary + timedelta(days=3))
    # never outside the province
    assert not is_visible(vacancy, None, "Utrecht", at_boundary + timedelta(days=30))
    assert not is_visible(vacancy, None, None, at_boundary)
    assert province_wide_from(vacancy) == at_boundary


@pytest.mark.parametrize("days", [0, 1, 7, 30])
def test_the_head_start_is_configurable(days: int) -> None:
    vacancy = facts(published_at=NOW)
    boundary = NOW + timedelta(days=days)
    if days:
        assert not is_visible(
            vacancy, None, "Gelderland", boundary - SECOND, regional_first_days=days
        )
    assert is_visible(vacancy, None, "Gelderland", boundary, regional_first_days=days)


def test_a_negative_head_start_counts_as_none() -> None:
    assert is_visible(facts(), None, "Gelderland", NOW, regional_first_days=-5)


def test_closed_listings_disappear_at_the_moment_they_close() -> None:
    closing = NOW + timedelta(days=2)
    listing = facts(closed_at=closing)
    assert is_visible(listing, REGION, "Gelderland", closing - SECOND)
    assert not is_visible(listing, REGION, "Gelderland", closing)
    assert not is_visible(listing, REGION, "Gelderland", closing + timedelta(days=40))


def test_expired_listings_disappear_after_their_last_local_day() -> None:
    last_day = date(2025, 3, 20)
    listing = facts(respond_by=last_day)
    late_evening = datetime(2025, 3, 20, 23, 30, tzinfo=LOCAL_TZ)
    next_morning = datetime(2025, 3, 21, 0, 5, tzinfo=LOCAL_TZ)
    assert is_visible(listing, REGION, "Gelderland", late_evening)
    assert not is_visible(listing, REGION, "Gelderland", next_morning)
    # 23:05 UTC on the 20th is already the 21st in Amsterdam
    assert not is_open(listing, datetime(2025, 3, 20, 23, 5, tzinfo=timezone.utc))
    ended = facts(kind="meeloopstage", ends_on=date(2025, 3, 13))
    assert is_open(ended, NOW)
    assert not is_open(ended, NOW + timedelta(days=2))


def test_a_one_day_event_ends_on_its_start_date() -> None:
    event = facts(kind="bijeenkomst", starts_on=date(2025, 3, 14))
    assert is_open(event, NOW)
    assert not is_open(event, datetime(2025, 3, 15, 9, 0, tzinfo=LOCAL_TZ))
    # a vacancy that started already is still open: "per direct" is common
    assert is_open(facts(starts_on=date(2025, 3, 1)), NOW)


def test_nothing_is_visible_before_it_is_published() -> None:
    listing = facts(published_at=NOW + timedelta(hours=1))
    assert not is_visible(listing, REGION, "Gelderland", NOW)
    assert is_visible(listing, REGION, "Gelderland", NOW + timedelta(hours=1))


@pytest.mark.parametrize("kind", ["meeloopstage", "uitwisseling", "training", "bijeenkomst"])
def test_other_types_are_open_to_the_province_at_once(kind: str) -> None:
    listing = facts(kind=kind)
    assert is_visible(listing, None, "Gelderland", NOW)
    assert is_visible(listing, REGION, "Gelderland", NOW)
    assert not is_visible(listing, None, "Utrecht", NOW)


@pytest.mark.parametrize("kind", ["training", "bijeenkomst"])
def test_online_trainings_and_events_are_open_everywhere(kind: str) -> None:
    listing = facts(kind=kind, mode="online")
    assert is_visible(listing, None, "Zeeland", NOW)
    assert is_visible(listing, None, None, NOW)
    # online does not lift the vacancy rule
    assert not is_visible(facts(mode="online"), None, "Zeeland", NOW + FOURTEEN)


moments = st.datetimes(
    min_value=datetime(2024, 1, 1),
    max_value=datetime(2026, 12, 31),
    timezones=st.just(timezone.utc),
)
provinces = st.sampled_from(["Gelderland", "Utrecht", None])
regions = st.sampled_from([REGION, OTHER_REGION, None])


@settings(max_examples=300, deadline=None)
@given(
    kind=st.sampled_from(TYPES),
    mode=st.sampled_from(MODES),
    published=moments,
    now=moments,
    closed=st.one_of(st.none(), moments),
    region=regions,
    province=provinces,
    days=st.integers(min_value=0, max_value=60),
)
def test_rule_invariants(
    kind: str,
    mode: str,
    published: datetime,
    now: datetime,
    closed: datetime | None,
    region: str | None,
    province: str | None,
    days: int,
) -> None:
    listing = facts(kind=kind, mode=mode, published_at=published, closed_at=closed)
    visible = is_visible(listing, region, province, now, regional_first_days=days)
    if closed is not None and closed <= now or now < published:
        assert not visible
    if visible and kind == "vacature":
        assert region == REGION or (
            province == "Gelderland" and now >= published + timedelta(days=days)
        )
    if visible and not (kind in ("training", "bijeenkomst") and mode == "online"):
        assert region == REGION or province == "Gelderland"
    # whoever sees it in the region first keeps seeing it once it is province-wide
    if is_visible(listing, None, "Gelderland", now, regional_first_days=days):
        assert is_visible(listing, REGION, "Gelderland", now, regional_first_days=days)
