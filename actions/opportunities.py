"""Opportunities in the region and the EVC check, in the chat (issue 17).

- ``action_show_opportunities``: up to five listings that fit the scan, the region and what the
  employee asked for ("kan ik ergens meelopen?"), each with one line on why it fits and the
  contact route. Koers never passes on who asked; the listings shown are counted per type only.
- ``action_show_more``: "meer" pages on through what was shown last (opportunities or workshop
  sessions, whichever list the employee saw last).
- ``action_save_opportunity``: a listing onto the preparation sheet ("Wat ik wil proberen: …").
- ``evc_form`` (``validate_evc_form`` through :mod:`actions.form_turns`, the one turn-taking
  mechanism): three skippable questions, then ``action_evc_result``'s honest answer.

Who the employee is comes from the verified identity only: without it only online trainings and
events show, as the regional-first rule cannot be applied to someone unknown.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.orm import Session

from actions.form_turns import PAUSED_FORM, TurnTakingFormValidation
from actions.identity import verified_identity
from actions.tracker import answering_open_question, latest_intent, latest_text, requested_slot
from bot.clock import utcnow
from bot.config import load_settings
from bot.db.session import RunSession
from bot.ledger.preferences import normalize_region
from bot.opportunities import chat
from bot.opportunities.catalog import COMPETENCES, TYPE_EXCHANGE, TYPE_SHADOWING
from bot.opportunities.evc import evc_advice
from bot.opportunities.facts import OpportunityFacts
from bot.opportunities.matching import Match
from bot.opportunities.service import (
    ANONYMOUS_NOTE,
    employee_place,
    employee_profile,
    match_view,
    suggestions,
    visible_opportunities,
)
from bot.preparation.questions import DATE_SLOT
from bot.scan.questions import DIRECTIONS
from bot.trends import events as trend
from bot.trends.recorder import record_trend

QUERY_SLOT = "opportunity_query"
SAVED_SLOT = "opportunity_saved"
#: Which list "meer" pages on: "opportunities" or "workshops".
PAGING_SLOT = "paging"
PAGING_OPPORTUNITIES = "opportunities"
PAGING_WORKSHOPS = "workshops"
KIND_ENTITY = "opportunity_kind"
ID_ENTITY = "opportunity_id"

EVC_FORM = "evc_form"
EVC_YEARS, EVC_DIPLOMA, EVC_GOAL = "evc_years", "evc_diploma", "evc_goal"
EVC_SLOTS = (EVC_YEARS, EVC_DIPLOMA, EVC_GOAL)
#: The answers an EVC request may already hold (:func:`bot.opportunities.chat.answers_in_request`).
_GIVEN_SLOTS = {"years": EVC_YEARS, "diploma": EVC_DIPLOMA}


def _municipality(tracker: Tracker) -> str | None:
    who = verified_identity(tracker)
    return who.municipality if who is not None else None


def _scan_profile(tracker: Tracker) -> tuple[str | None, tuple[str, ...]]:
    """The scan's direction and strengths, when the scan is done (slots checked, not trusted)."""
    if tracker.get_slot("scan_status") != "completed":
        return None, ()
    direction = tracker.get_slot("scan_direction")
    strengths = tracker.get_slot("scan_strengths") or []
    return (
        direction if direction in DIRECTIONS else None,
        tuple(s for s in strengths if isinstance(s, str) and s in COMPETENCES),
    )


def _own_scale(tracker: Tracker) -> int | None:
    """The scale the employee called their own in this conversation ("ik zit in schaal 6")."""
    said = [
        str(event.get("text") or "")
        for event in tracker.events
        if event.get("event") == "user" and not str(event.get("text") or "").startswith("/")
    ]
    return chat.own_scale([*said, latest_text(tracker)])


def _matches(
    session: Session,
    *,
    municipality: str | None,
    direction: str | None,
    strengths: tuple[str, ...],
    place: str | None,
    kinds: Collection[str] | None,
    now: datetime,
    limit: int,
    scale: int | None = None,
) -> list[Match]:
    profile = employee_profile(
        session, municipality, direction=direction, strengths=strengths, place=place, scale=scale
    )
    return suggestions(session, profile, now, limit=limit, kinds=kinds)


def save_button(item_id: int) -> dict[str, str]:
    return {
        "title": chat.SAVE_BUTTON,
        "payload": f'/save_opportunity{{"{ID_ENTITY}":"{item_id}"}}',
    }


#: "Wat is een meeloopstage?" ends with the offer to show the places.
SHADOWING_BUTTON = {
    "title": "Bekijk meeloopstages",
    "payload": f'/find_opportunities{{"{KIND_ENTITY}":"{TYPE_SHADOWING}"}}',
}


def _about_shadowing(kinds: tuple[str, ...] | None) -> bool:
    """A general question about meelopen, exchanges or secondments (not about vacancies)."""
    return kinds is not None and set(kinds) <= {TYPE_SHADOWING, TYPE_EXCHANGE}


def list_button(kinds: tuple[str, ...] | None) -> dict[str, str]:
    """ "Ja, laat de lijst zien": the same types again (one type by its entity)."""
    if kinds is not None and len(kinds) == 1:
        payload = f'/find_opportunities{{"{KIND_ENTITY}":"{kinds[0]}"}}'
    else:
        payload = "/find_opportunities"
    return {"title": "Ja, laat de lijst zien", "payload": payload}


async def show_page(
    dispatcher: CollectingDispatcher, tracker: Tracker, query: chat.Query
) -> list[EventType]:
    """One page of suggestions from ``query.offset``; remembers the query for "meer"."""
    municipality = _municipality(tracker)
    direction, strengths = _scan_profile(tracker)
    async with RunSession(load_settings().database_url) as run:
        found = await run.call(
            _matches,
            municipality=municipality,
            direction=direction,
            strengths=strengths,
            place=query.place,
            kinds=query.kinds,
            now=utcnow(),
            limit=query.offset + chat.PAGE_SIZE + 1,
            scale=_own_scale(tracker),
        )
    page = found[query.offset : query.offset + chat.PAGE_SIZE]
    if not page:
        if query.offset:
            dispatcher.utter_message(text=chat.NOTHING_MORE)
        else:
            lines = [chat.NOTHING_FOUND.format(soort=chat.kinds_text(query.kinds))]
            if municipality is None:
                lines.append(chat.ANONYMOUS_REACH)
            dispatcher.utter_message(text="\n".join(lines))
        return [SlotSet(QUERY_SLOT, None), SlotSet(PAGING_SLOT, None)]
    intro = [chat.intro_text(query.kinds, after_scan=direction is not None, offset=query.offset)]
    if not query.offset and municipality is None:
        intro.append(chat.ANONYMOUS_REACH)
    if not query.offset and direction is None:
        intro.append(chat.NO_SCAN_TIP)
    dispatcher.utter_message(text="\n".join(intro))
    for match in page:
        dispatcher.utter_message(
            text=match_view(match).text, buttons=[save_button(match.opportunity.id)]
        )
        await record_trend(tracker, trend.OPPORTUNITY_VIEWED, match.opportunity.kind)
    more = len(found) > query.offset + chat.PAGE_SIZE
    closing = [ANONYMOUS_NOTE]
    if more:
        closing.append(chat.MORE_HINT)
    elif query.offset:
        closing.append(chat.LAST_PAGE)
    buttons = [{"title": chat.MORE_BUTTON, "payload": "/show_more"}] if more else []
    dispatcher.utter_message(text="\n".join(closing), buttons=buttons)
    return [SlotSet(QUERY_SLOT, query.to_slot()), SlotSet(PAGING_SLOT, PAGING_OPPORTUNITIES)]


def _last_bot_buttons(tracker: Tracker) -> list[Any]:
    """The buttons of Koers' last message before the latest one of the employee."""
    for event in reversed(tracker.events):
        if event.get("event") == "bot":
            buttons = (event.get("data") or {}).get("buttons")
            return list(buttons) if isinstance(buttons, list) else []
    return []


def _meeting_day(tracker: Tracker) -> date | None:
    """The date of the meeting being prepared (``prep_date``, ISO), when it is known."""
    value = tracker.get_slot(DATE_SLOT)
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


async def _say_other_province(
    dispatcher: CollectingDispatcher, tracker: Tracker, text: str
) -> None:
    """ "kansen in utrecht" from an employee in Gelderland: said plainly that Koers shows the
    listings open to their own province (the regional rule), not Utrecht's (walkthrough
    2026-12-04 answered five times with Gelderland, "in je eigen regio")."""
    asked = normalize_region(text, fuzzy=False)
    municipality = _municipality(tracker)
    if asked is None or municipality is None:
        return
    async with RunSession(load_settings().database_url) as run:
        own = (await run.call(employee_place, municipality_code=municipality)).province
    if own is not None and asked != own:
        dispatcher.utter_message(text=chat.other_province_text(asked, own))


class ActionShowOpportunities(Action):
    """ "Kan ik ergens meelopen?", "zijn er vacatures in de regio?": the first page."""

    def name(self) -> str:
        return "action_show_opportunities"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        text = latest_text(tracker)
        if latest_intent(tracker)[0] == "affirm":  # "ja laat zien" to "Zal ik verder gaan …?"
            return await self._yes_to_offer(dispatcher, tracker)
        named = chat.known_kind(next(tracker.get_latest_entity_values(KIND_ENTITY), None))
        kinds = (named,) if named else chat.kinds_in(text)
        if named is None and chat.asks_who_is_told(text):
            return self._who_is_told(dispatcher, tracker, kinds)
        if named is None and chat.asks_what_it_is(text) and _about_shadowing(kinds):
            dispatcher.utter_message(text=chat.SHADOWING_EXPLAINED, buttons=[SHADOWING_BUTTON])
            return []
        await _say_other_province(dispatcher, tracker, text)
        return await show_page(dispatcher, tracker, chat.Query(kinds, chat.place_in(text), 0))

    @staticmethod
    async def _yes_to_offer(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        """A typed yes after this action offered the list: what its button would show."""
        offered, kinds = chat.offered_kinds(_last_bot_buttons(tracker))
        if not offered:
            dispatcher.utter_message(response="utter_what_next")
            return []
        shown = chat.Query.from_slot(tracker.get_slot(QUERY_SLOT))
        place = shown.place if shown is not None else None
        return await show_page(dispatcher, tracker, chat.Query(kinds, place, 0))

    @staticmethod
    def _who_is_told(
        dispatcher: CollectingDispatcher, tracker: Tracker, kinds: tuple[str, ...] | None
    ) -> list[EventType]:
        """Who hears of it, honestly; then the offer to go on with the list (nothing shown)."""
        shown = chat.Query.from_slot(tracker.get_slot(QUERY_SLOT))
        wanted = shown.kinds if shown is not None else kinds
        dispatcher.utter_message(text=chat.WHO_IS_TOLD)
        dispatcher.utter_message(
            text=chat.WHO_IS_TOLD_NEXT,
            buttons=[list_button(wanted), chat.COACH_BUTTON],
        )
        return []


class ActionShowMore(Action):
    """ "Meer": the next page of the list the employee saw last."""

    def name(self) -> str:
        return "action_show_more"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        paging = tracker.get_slot(PAGING_SLOT)
        if paging == PAGING_OPPORTUNITIES:
            query = chat.Query.from_slot(tracker.get_slot(QUERY_SLOT))
            if query is not None:
                return await show_page(dispatcher, tracker, query.next_page())
        if paging == PAGING_WORKSHOPS:
            from actions.signups import show_more_sessions  # the sign-up flow's own paging

            # listen next: also when the list policy chose this action for "alleen die ene?",
            # which no rule follows (the fallback rule would answer NLU's guess too)
            shown = await show_more_sessions(dispatcher, tracker)
            return [*shown, FollowupAction(ACTION_LISTEN)]
        # "wat kun je nog meer?" with no list to page on: what Koers can do
        dispatcher.utter_message(text=chat.NOTHING_TO_PAGE)
        dispatcher.utter_message(response="utter_capabilities")
        return []


def _visible(
    session: Session, *, municipality: str | None, item_id: int, now: datetime
) -> OpportunityFacts | None:
    return next(
        (item for item in visible_opportunities(session, municipality, now) if item.id == item_id),
        None,
    )


class ActionSaveOpportunity(Action):
    """Puts a listing the employee may see on their preparation sheet (no one else is told)."""

    def name(self) -> str:
        return "action_save_opportunity"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        entity = next(tracker.get_latest_entity_values(ID_ENTITY), None)
        item_id = chat.picked_id(entity, latest_text(tracker))
        if item_id is None:
            dispatcher.utter_message(text=chat.SAVE_HOW)
            return []
        async with RunSession(load_settings().database_url) as run:
            item = await run.call(
                _visible, municipality=_municipality(tracker), item_id=item_id, now=utcnow()
            )
        if item is None:
            dispatcher.utter_message(text=chat.SAVE_UNKNOWN)
            return []
        saved, added = chat.with_saved(tracker.get_slot(SAVED_SLOT), chat.try_line(item))
        warning = chat.closes_before_meeting_text(item, _meeting_day(tracker))
        if not added:
            full = chat.try_line(item) not in saved
            text = chat.SAVED_FULL.format(count=len(saved)) if full else chat.ALREADY_SAVED
            dispatcher.utter_message(text="\n".join(filter(None, [text, warning])))
            return []
        dispatcher.utter_message(
            text="\n".join(
                filter(
                    None, [chat.SAVED.format(line=chat.TRY_PREFIX + chat.try_line(item)), warning]
                )
            ),
            buttons=[chat.PREPARE_BUTTON],
        )
        await record_trend(tracker, trend.OPPORTUNITY_SAVED, item.kind)
        return [SlotSet(SAVED_SLOT, saved)]


# --- EVC --------------------------------------------------------------------------------


def evc_answer(slot: str, text: str) -> object | None:
    """The stored value for an answer to ``slot``: a parsed value, SKIPPED, or None (unclear)."""
    if slot == EVC_YEARS:
        value: object | None = chat.parse_years(text)
    elif slot == EVC_DIPLOMA:
        value = chat.parse_diploma(text)
    elif slot == EVC_GOAL:
        value = chat.parse_goal(text)
    else:
        return None
    if value is None and chat.is_skip(text):
        return chat.SKIPPED
    return value


_UNCLEAR = {
    EVC_YEARS: chat.EVC_YEARS_UNCLEAR,
    EVC_DIPLOMA: chat.EVC_DIPLOMA_UNCLEAR,
    EVC_GOAL: chat.EVC_GOAL_UNCLEAR,
}


ACTION_LISTEN = "action_listen"


def evc_checked(tracker: Tracker) -> bool:
    """Whether the EVC check was completed in this conversation (its result was given)."""
    return any(
        event.get("event") == "action" and event.get("name") == "action_evc_result"
        for event in tracker.events
    )


class ActionEvcStart(Action):
    """ "Is EVC iets voor mij?": what the check is; back in a paused check, where it was.

    "Wat is EVC?" belongs to this flow too (one intent per topic): it gets a short
    explanation and the offer of the check, and the form does not start (its follow-up is
    listening, which also a form's switch to this flow honours).
    """

    def name(self) -> str:
        return "action_evc_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        text = latest_text(tracker)
        if chat.asks_what_it_is(text):
            # "wat is EVC?": the explanation and the offer; the check starts on the button
            dispatcher.utter_message(text=chat.EVC_EXPLAINED, buttons=[chat.EVC_CHECK_BUTTON])
            return [FollowupAction(ACTION_LISTEN)]
        answered = any(tracker.get_slot(slot) is not None for slot in EVC_SLOTS)
        paused = tracker.get_slot(PAUSED_FORM) == EVC_FORM
        typed = not text.startswith("/")  # a button ("Doe de check opnieuw") always starts
        done = typed and evc_checked(tracker) and not (answered or paused)
        again = chat.asks_check_again(text)
        topics = chat.evc_topics(text) if typed and not again else ()
        if topics and (done or not chat.asks_fit(text)):
            # "wie betaalt evc?": answered from what is known; the check is not (re)started
            buttons = [chat.PREPARE_BUTTON] if done else [chat.EVC_CHECK_BUTTON]
            dispatcher.utter_message(text=chat.evc_facts_text(topics), buttons=buttons)
            return [FollowupAction(ACTION_LISTEN)]
        if done and not again:
            dispatcher.utter_message(
                text=chat.EVC_ALREADY_CHECKED,
                buttons=[chat.EVC_AGAIN_BUTTON, chat.PREPARE_BUTTON],
            )
            return [FollowupAction(ACTION_LISTEN)]
        if topics:  # "is evc iets voor mij? en wat kost dat": that answer, then the check
            dispatcher.utter_message(text=chat.evc_facts_text(topics))
        dispatcher.utter_message(text=chat.EVC_RESUME if answered else chat.EVC_INTRO)
        given = {
            key: value
            for key, value in (chat.answers_in_request(text) if typed else {}).items()
            if tracker.get_slot(_GIVEN_SLOTS[key]) is None
        }
        if given:  # "is evc iets voor mij? ik heb mbo 4": not asked again
            dispatcher.utter_message(text=chat.noted_text(given))
        prefilled = [SlotSet(_GIVEN_SLOTS[key], value) for key, value in given.items()]
        if tracker.get_slot(PAUSED_FORM) == EVC_FORM:
            return [*prefilled, SlotSet(PAUSED_FORM, None)]
        return prefilled


class ValidateEvcForm(TurnTakingFormValidation):
    """Reads the three answers; anything else goes through the one turn-taking policy."""

    answer_first = True  # "hbo", "12", "sla over" are answers, whatever NLU thought

    def name(self) -> str:
        return "validate_evc_form"

    def answer_understood(self, tracker: Tracker) -> bool | None:
        slot = requested_slot(tracker)
        if slot not in EVC_SLOTS:
            return None
        return evc_answer(slot, latest_text(tracker)) is not None

    def _extract(self, tracker: Tracker, slot: str) -> dict[str, Any]:
        if requested_slot(tracker) != slot or not answering_open_question(tracker, EVC_FORM):
            return {}
        return {slot: evc_answer(slot, latest_text(tracker))}

    def extract_evc_years(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._extract(tracker, EVC_YEARS)

    def extract_evc_diploma(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._extract(tracker, EVC_DIPLOMA)

    def extract_evc_goal(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._extract(tracker, EVC_GOAL)

    def _validate(self, slot: str, value: Any, dispatcher: CollectingDispatcher) -> dict[str, Any]:
        if value is None:
            dispatcher.utter_message(text=_UNCLEAR[slot])
        return {slot: value}

    async def validate_evc_years(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if isinstance(value, int) and len(chat.year_parts(latest_text(tracker))) > 1:
            dispatcher.utter_message(text=chat.years_summed_text(value))  # added up: say so
        return self._validate(EVC_YEARS, value, dispatcher)

    async def validate_evc_diploma(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._validate(EVC_DIPLOMA, value, dispatcher)

    async def validate_evc_goal(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._validate(EVC_GOAL, value, dispatcher)


class _AskEvc(Action):
    slot = ""
    text = ""
    buttons: tuple[dict[str, str], ...] = ()

    def name(self) -> str:
        return f"action_ask_{self.slot}"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        dispatcher.utter_message(text=self.text, buttons=[*self.buttons, chat.SKIP_BUTTON])
        return []


class ActionAskEvcYears(_AskEvc):
    slot, text = EVC_YEARS, chat.EVC_YEARS


class ActionAskEvcDiploma(_AskEvc):
    slot, text, buttons = EVC_DIPLOMA, chat.EVC_DIPLOMA, chat.DIPLOMA_BUTTONS


class ActionAskEvcGoal(_AskEvc):
    slot, text, buttons = EVC_GOAL, chat.EVC_GOAL, chat.GOAL_BUTTONS


def advice_for(years: object, diploma: object, goal: object) -> Any:
    """evc_advice on the form's slots; a tampered value counts as skipped."""
    years_value = chat.unskipped(years)
    diploma_value = chat.unskipped(diploma)
    goal_value = chat.unskipped(goal)
    try:
        return evc_advice(
            years_value if isinstance(years_value, int) else None,
            diploma_value if isinstance(diploma_value, str) else None,
            goal_value if isinstance(goal_value, str) else None,
        )
    except ValueError:
        return evc_advice(None, None, None)


class ActionEvcResult(Action):
    """The honest answer, counted once per check by its outcome; the check can be done again."""

    def name(self) -> str:
        return "action_evc_result"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        advice = advice_for(*(tracker.get_slot(slot) for slot in EVC_SLOTS))
        if advice.verdict == "other_route":
            buttons = [chat.TRAININGS_BUTTON, chat.PREPARE_BUTTON]
        else:
            buttons = [chat.PREPARE_BUTTON, chat.TRAININGS_BUTTON]
        dispatcher.utter_message(text=advice.text, buttons=buttons)
        await record_trend(tracker, trend.EVC_CHECKED, advice.verdict)
        return [SlotSet(slot, None) for slot in EVC_SLOTS]
