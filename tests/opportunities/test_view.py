"""What the chat shows of a listing: Dutch labels, dates, scale, hours and the contact route."""

from __future__ import annotations

from datetime import date

from bot.opportunities.catalog import MODE_LABELS, TYPE_LABELS, TYPES
from bot.opportunities.service import ANONYMOUS_NOTE, opportunity_view
from tests.opportunities.factories import assert_plain_dutch, facts


def test_a_vacancy_view_has_every_detail() -> None:
    view = opportunity_view(
        facts(
            scale_min=6,
            scale_max=8,
            hours_per_week=32,
            starts_on=date(2025, 5, 1),
            respond_by=date(2025, 4, 1),
            work_area="burgerzaken",
        ),
        why="Past bij verbreden: je krijgt er nieuwe taken bij.",
    )
    assert view.type_label == "Vacature"
    assert view.scale == "schaal 6 tot en met 8" and view.hours == "32 uur per week"
    assert view.dates == "Start: 1 mei 2025. Reageren kan tot en met 1 april 2025."
    assert view.work_area == "Burgerzaken"
    assert view.text.splitlines() == [
        "**Medewerker Burgerzaken (test)**",
        "Vacature bij Gemeente Waalweide (Gelderland)",
        "32 uur per week, schaal 6 tot en met 8, op locatie",
        "Start: 1 mei 2025. Reageren kan tot en met 1 april 2025.",
        "Je helpt inwoners aan de balie.",
        "Past bij verbreden: je krijgt er nieuwe taken bij.",
        "Meer weten? Mail naar p&o@waalweide.example",
    ]


def test_events_pages_and_periods() -> None:
    event = opportunity_view(
        facts(
            kind="bijeenkomst",
            mode="online",
            starts_on=date(2025, 6, 3),
            contact="https://werkenbij.waalweide.example/symposium",
        )
    )
    assert event.dates == "Op 3 juni 2025." and event.scale is None and event.why is None
    assert event.contact_line == "Meer weten? Kijk op https://werkenbij.waalweide.example/symposium"
    stage = opportunity_view(
        facts(
            kind="meeloopstage",
            starts_on=date(2025, 4, 1),
            ends_on=date(2025, 4, 30),
            scale_min=7,
            scale_max=7,
        )
    )
    assert stage.dates == "Van 1 april 2025 tot en met 30 april 2025."
    assert stage.scale == "schaal 7"


def test_labels_are_dutch_and_complete() -> None:
    assert set(TYPE_LABELS) == set(TYPES)
    for text in (*TYPE_LABELS.values(), *MODE_LABELS.values(), ANONYMOUS_NOTE):
        assert_plain_dutch(text)
