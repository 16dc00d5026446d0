"""Who may see a listing, after the practice of the regional internal labour market.

Cooperating municipalities in a labour-market region share a new vacancy among themselves
first; after a number of days (14 by default, ``KOERS_OPPORTUNITY_REGIONAL_DAYS``) it is open
to everyone in the province. Closed and expired listings are never visible. Pure functions:
the caller passes ``now``, so tests control the clock.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.clock import LOCAL_TZ
from bot.opportunities.catalog import MODE_ONLINE, TYPE_EVENT, TYPE_TRAINING, TYPE_VACANCY
from bot.opportunities.facts import OpportunityFacts

DEFAULT_REGIONAL_FIRST_DAYS = 14


def is_open(opportunity: OpportunityFacts, now: datetime) -> bool:
    """Published, not closed and not past its last day (days count in Dutch local time)."""
    if now < opportunity.published_at:
        return False
    if opportunity.closed_at is not None and opportunity.closed_at <= now:
        return False
    last_day = opportunity.last_day
    return last_day is None or now.astimezone(LOCAL_TZ).date() <= last_day


def province_wide_from(
    opportunity: OpportunityFacts, regional_first_days: int = DEFAULT_REGIONAL_FIRST_DAYS
) -> datetime:
    """The moment a vacancy leaves the regional pool and opens to the whole province."""
    return opportunity.published_at + timedelta(days=max(0, regional_first_days))


def is_visible(
    opportunity_facts: OpportunityFacts,
    employee_municipality_region: str | None,
    employee_province: str | None,
    now: datetime,
    *,
    regional_first_days: int = DEFAULT_REGIONAL_FIRST_DAYS,
) -> bool:
    """May an employee see this listing now?

    ``employee_municipality_region`` is the labour-market region in which the employee's
    municipality *cooperates* (None when it does not cooperate anywhere or is unknown);
    ``employee_province`` is the province of the employee's municipality.

    - A **vacancy** is shown only to employees of the cooperating municipalities of its
      region for the first ``regional_first_days`` days, then to everyone in its province.
      It never goes beyond the province: that is where the regional practice stops.
    - A **meeloopstage** or an **exchange/secondment** is open to the region and the whole
      province at once: nobody competes for it, so there is no head start to protect.
    - A **shared training** or **regional event** is open to the province at once; one that
      takes place fully online is open to employees everywhere, since sharing trainings is
      meant to lower costs for small municipalities and distance does not matter online.
    - Closed, expired or not yet published listings are never visible.
    """
    if not is_open(opportunity_facts, now):
        return False
    in_region = (
        employee_municipality_region is not None
        and employee_municipality_region == opportunity_facts.region_code
    )
    in_province = employee_province is not None and employee_province == opportunity_facts.province
    if opportunity_facts.kind == TYPE_VACANCY:
        if now < province_wide_from(opportunity_facts, regional_first_days):
            return in_region
        return in_region or in_province
    if opportunity_facts.kind in (TYPE_TRAINING, TYPE_EVENT) and (
        opportunity_facts.mode == MODE_ONLINE
    ):
        return True
    return in_region or in_province
