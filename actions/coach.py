"""Custom actions for booking, moving and cancelling a conversation with a career coach.

Forms (see domain.yml):
- ``coach_form``: region -> coach_mode -> coach_when -> coach_slot -> coach_confirm ->
  coach_email_consent. Choosing a slot only asks "Zal ik ... voor je vastzetten?"; the slot
  is taken (atomically) after a yes, so "just taken" is found out right there.
- ``booking_cancel_form``: booking_code -> booking_cancel_confirm.
- ``booking_reschedule_form``: booking_code -> coach_when -> coach_slot -> coach_confirm.

Trust (issue 14, docs/security.md): every change carries a :class:`BookingOwner`, this
conversation's pseudonymous key plus the employee key of a verified identity claim. Only the
owner can see, move or cancel a booking; for anyone else a valid code gets the same answer
as an unknown one. The ledger enforces one active booking per owner and the hourly limits
(:class:`BookingLimits`, from the settings), so a script cannot empty the agenda or flood
coaches with mail.

Logic and texts live in ``bot.ledger``; these classes read the tracker, call the ledger in a
worker thread with one database session per run, and send messages. The employee's e-mail
address is never asked in the chat (chat text is kept in the tracker store): the
confirmation links to a page of the web app where it is stored on the booking only.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from contextvars import ContextVar
from dataclasses import replace
from datetime import timedelta
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.orm import Session

from actions.form_turns import TurnTakingFormValidation
from actions.identity import verified_identity
from actions.tracker import (
    active_form,
    latest_intent,
    latest_text,
    requested_slot,
    turn_in_form,
)
from bot.channels.identity import VerifiedIdentity
from bot.clock import LOCAL_TZ, utcnow
from bot.config import Settings, load_settings
from bot.conversation.turns import coach_fact_question
from bot.conversation.two_questions import split_questions
from bot.db.session import RunSession
from bot.ledger import signup_chat, texts
from bot.ledger.booking import (
    BOOKING_ALREADY_ACTIVE,
    LIMIT_REASONS,
    BookingError,
    BookingLimits,
    BookingOwner,
    BookingView,
    SlotOffer,
    active_booking_of,
    book_slot,
    booking_refusal,
    cancel_booking,
    find_booking,
    offers_from_slot_value,
    offers_or_alternatives,
    reschedule_booking,
)
from bot.ledger.catalog import MODE_ONLINE
from bot.ledger.codes import CodeCheck, find_code
from bot.ledger.facts import coach_facts, coach_location, coach_locations, topics_in
from bot.ledger.preferences import (
    MODE_ANY,
    MODE_ONLINE_ANYWHERE,
    WhenPreference,
    asks_other_provinces,
    normalize_region,
    offers_named,
    parse_mode,
    parse_when,
    parse_yes_no,
    pick_offer,
    refine_when,
    restates_wish,
    shifted_day,
)
from bot.ledger.signups import SignupView, employee_signups
from bot.ledger.when import after_leaving, fold, leaving, read_when, time_asked
from bot.opportunities import chat as opportunity_chat
from bot.privacy.pseudonym import get_pseudonymizer
from bot.trends import events as trend
from bot.trends.recorder import record_trend

REGION = "region"
MODE = "coach_mode"
WHEN = "coach_when"
OFFERS = "coach_offers"
CHOICE = "coach_slot"
CONFIRM = "coach_confirm"
CONSENT = "coach_email_consent"
BOOKED = "coach_booking_code"
#: Days the employee said do not work ("morgen kan niet"): kept for the whole conversation.
NOT_DATES = "coach_not_dates"
BOOKING_CODE = "booking_code"
CANCEL_CONFIRM = "booking_cancel_confirm"
REQUESTED = "requested_slot"
#: Extracted value of ``coach_slot`` when the answer fits several offered times ("dinsdag
#: om 4 uur" with three coaches): the list narrows to those, and the question comes again.
NARROWED = "narrowed:"
#: Extracted value of ``coach_confirm`` when the answer names another offered time.
OTHER_CHOICE = "other:"

COACH_FORM_SLOTS = (REGION, MODE, WHEN, CHOICE, CONFIRM, CONSENT)
CANCEL_FORM_SLOTS = (BOOKING_CODE, CANCEL_CONFIRM)
RESCHEDULE_FORM_SLOTS = (BOOKING_CODE, WHEN, CHOICE, CONFIRM)
#: Slots that a new request starts without (the region is kept unless a new one is named).
COACH_RESET = (MODE, WHEN, OFFERS, CHOICE, CONFIRM, CONSENT, BOOKED)
RESCHEDULE_RESET = (BOOKING_CODE, WHEN, OFFERS, CHOICE, CONFIRM)

_RUN: ContextVar[RunSession | None] = ContextVar("koers_ledger_run", default=None)


# --- Helpers ------------------------------------------------------------------------------


def _asked(tracker: Tracker, slot: str) -> bool:
    return requested_slot(tracker) == slot


def _checked_yes_no(dispatcher: CollectingDispatcher, slot: str, value: Any) -> dict[str, Any]:
    if value is None:
        dispatcher.utter_message(text=texts.UNCLEAR_YES_NO)
    return {slot: value}


def _run_session() -> RunSession:
    run = _RUN.get()
    if run is None:  # pragma: no cover - only when a method is called outside run()
        raise RuntimeError("ledger session used outside an action run")
    return run


def booking_owner(tracker: Tracker) -> BookingOwner:
    """Who is asking: this conversation, plus the employee when the channel's claim verifies.

    The sender id is already the keyed pseudonym of ``channel:id``; ``conversation_id``
    hashes anything that is not, so a raw id is never stored on a booking.
    """
    identity = verified_identity(tracker)
    keys = identity.employee_keys.all() if identity else ()
    return BookingOwner(get_pseudonymizer().conversation_id(str(tracker.sender_id)), keys)


def booking_limits(settings: Settings) -> BookingLimits:
    return BookingLimits(
        changes_per_hour=settings.booking_changes_per_hour,
        anonymous_per_hour=settings.booking_anonymous_per_hour,
        anonymous_active_max=settings.booking_anonymous_active_max,
    )


async def _say_refusal(
    dispatcher: CollectingDispatcher, run: RunSession, owner: BookingOwner, reason: str
) -> None:
    """Explains a limit; for "already booked" names that booking and offers to change it."""
    if reason == BOOKING_ALREADY_ACTIVE:
        view = await run.call(active_booking_of, owner=owner, now=utcnow())
        if view is not None:
            dispatcher.utter_message(
                text=texts.already_booked(view),
                buttons=[dict(button) for button in texts.CHANGE_BUTTONS],
            )
            return
    dispatcher.utter_message(text=texts.limit_text(reason))


def _chosen_offer(tracker: Tracker) -> SlotOffer | None:
    offers = offers_from_slot_value(tracker.get_slot(OFFERS))
    value = tracker.get_slot(CHOICE)
    return next((offer for offer in offers if str(offer.slot_id) == str(value)), None)


def _picked_offer(tracker: Tracker, *, loose: bool = False) -> int | None:
    """The offer this message points at ("2", "dinsdag 10:00", "die van 3 uur bij Noor").

    ``loose`` also takes a lone number in a short answer ("nee, doe maar 3"): at the yes/no
    question a number always means a time, never a yes.
    """
    offers = offers_from_slot_value(tracker.get_slot(OFFERS))
    text = after_leaving(latest_text(tracker))  # "laat maar dat dinsdag. doe die van woensdag"
    if not text or coach_fact_question(text) is not None:  # "waar zit die rosa dan?"
        return None
    index = pick_offer(
        text, [offer.starts_at for offer in offers], [offer.coach_name for offer in offers]
    )
    # "nee! na 4 uur zei ik": a clock time, not time number 4
    in_a_time = not names_a_moment(text) or time_asked(fold(text)) is not None
    if index is None and loose and len(latest_text(tracker).split()) <= 6 and not in_a_time:
        numbers = re.findall(r"(?<![\d:.])([1-9])(?![\d:.])", latest_text(tracker))
        if len(numbers) == 1 and int(numbers[0]) <= len(offers):
            index = int(numbers[0]) - 1
    return index


def ics_url(settings: Settings, view: BookingView) -> str:
    return f"{settings.public_base_url}/bookings/{view.ics_token}.ics"


def email_url(settings: Settings, view: BookingView) -> str:
    return f"{settings.public_base_url}/bookings/{view.ics_token}/email"


def booking_code_in(tracker: Tracker, *, asked: bool = False) -> CodeCheck | None:
    """A booking code from the ``booking_code`` entity or, failing that, the message text.

    Entity values are checked like text: a regex can also match a word like "gesprekken",
    which must not be called a typo unless the bot just asked for a code.
    """
    for value in tracker.get_latest_entity_values(BOOKING_CODE):
        found = find_code(str(value), "booking", lenient=asked)
        if found is not None:
            return found
    return find_code(latest_text(tracker), "booking", lenient=asked)


def remembered_preference(tracker: Tracker, value: Any) -> WhenPreference:
    """The preference with every day ruled out earlier in this conversation added."""
    preference = WhenPreference.from_dict(value)
    earlier = WhenPreference.from_dict({"not_dates": tracker.get_slot(NOT_DATES) or []})
    return WhenPreference.from_dict(
        preference.to_dict()
        | {"not_dates": sorted(day.isoformat() for day in preference.not_dates | earlier.not_dates)}
    )


def when_in_message(tracker: Tracker) -> WhenPreference | None:
    """Days or times named in a message that answered something else ("…, na 4 uur").

    "Maakt niet uit" answers the question asked (online or not), never this one.
    """
    text = latest_text(tracker)
    if leaving(text):  # "laat maar" is no wish for a late hour
        return None
    preference = parse_when(text, utcnow())
    if preference is None or preference.is_any:
        return None
    return preference


def names_a_moment(text: str) -> bool:
    """Names a time to pick, not a window: "om 4 uur", not "na vier uur" or "niks later"."""
    words = read_when(text, utcnow())
    return words.after_minutes is None and words.before_minutes is None and not words.later


def refined_when(tracker: Tracker) -> WhenPreference | None:
    """A remark on the offered times ("liever donderdag", "iets later", "morgen kan niet")."""
    offers = offers_from_slot_value(tracker.get_slot(OFFERS))
    current = remembered_preference(tracker, tracker.get_slot(WHEN))
    return refine_when(latest_text(tracker), current, utcnow(), [o.starts_at for o in offers])


def wish_again(tracker: Tracker) -> WhenPreference | None:
    """The known wish, when the message only repeats it ("ik zei toch na vier uur"): the
    same search is shown again with its plain "niets vrij"."""
    current = remembered_preference(tracker, tracker.get_slot(WHEN))
    return current if restates_wish(latest_text(tracker), current, utcnow()) else None


def place_switch(tracker: Tracker) -> dict[str, Any] | None:
    """Another province while choosing a time ("andere provincie dan. utrecht", "zwolle"),
    or any province online ("kan het met een coach uit een andere provincie?"): the slots
    that search again there, with the same wish. None when the message names no place."""
    text = latest_text(tracker)
    named = next(tracker.get_latest_entity_values(REGION), None)
    short = len(text.split()) <= 3
    region = normalize_region(str(named)) if named else None
    region = region or normalize_region(text, fuzzy=short)
    wish = refined_when(tracker) or remembered_preference(tracker, tracker.get_slot(WHEN))
    mode = tracker.get_slot(MODE)
    if region is not None and region != tracker.get_slot(REGION):
        keep = MODE_ONLINE if mode == MODE_ONLINE_ANYWHERE else mode
        return {REGION: region, MODE: keep or MODE_ANY, WHEN: wish.to_dict(), CHOICE: None}
    if asks_other_provinces(text) and mode != MODE_ONLINE_ANYWHERE:
        return {MODE: MODE_ONLINE_ANYWHERE, WHEN: wish.to_dict(), CHOICE: None}
    return None


def _send_offers(
    dispatcher: CollectingDispatcher, tracker: Tracker, offers: list[SlotOffer]
) -> None:
    region = tracker.get_slot(REGION) or "je regio"
    preference = remembered_preference(tracker, tracker.get_slot(WHEN))
    text, buttons = texts.offers_message(offers, region, preference, tracker.get_slot(MODE))
    dispatcher.utter_message(text=text, buttons=buttons)


class _LedgerFormValidation(TurnTakingFormValidation, ABC):
    """Opens one ledger session per run (lazily, only when a step needs the database)."""

    answer_first = True  # "ja", "maandag", "Utrecht" are answers, whatever NLU thought

    @abstractmethod
    def name(self) -> str: ...

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        async with RunSession(load_settings().database_url) as run:
            token = _RUN.set(run)
            try:
                return await super().run(dispatcher, tracker, domain)
            finally:
                _RUN.reset(token)

    def _interrupted(self, tracker: Tracker) -> bool:
        """The message is no answer this form can read; the turn-taking base class handles it."""
        return turn_in_form(tracker, self.form_name(), answer_understood=False).interrupts

    def _extract_yes_no(self, tracker: Tracker, slot: str) -> dict[str, Any]:
        """A yes/no answer to the question for ``slot``; nothing if a rule answers the message."""
        if not _asked(tracker, slot):
            return {}
        intent, _confidence = latest_intent(tracker)
        answer = parse_yes_no(latest_text(tracker), intent)
        if answer is None and self._interrupted(tracker):
            return {}
        return {slot: answer}

    # Shared steps of choosing a time (used by booking and by moving a booking).

    def extract_coach_when(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if not _asked(tracker, WHEN):
            # Times named while another question was open are taken, silently.
            if tracker.get_slot(WHEN) is None and requested_slot(tracker) in (None, REGION, MODE):
                named = when_in_message(tracker)
                return {WHEN: named.to_dict()} if named else {}
            return {}
        preference = parse_when(latest_text(tracker), utcnow())
        if preference is None and self._interrupted(tracker):
            return {}
        return {WHEN: preference.to_dict() if preference else None}

    def extract_coach_slot(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if not _asked(tracker, CHOICE):
            return {}
        offers = offers_from_slot_value(tracker.get_slot(OFFERS))
        index = _picked_offer(tracker)
        if index is None:
            # "dinsdag 8 dec om 4 uur" with three coaches then: which of them
            said = after_leaving(latest_text(tracker))
            named = (
                offers_named(
                    said,
                    [offer.starts_at for offer in offers],
                    [offer.coach_name for offer in offers],
                    specific=True,
                )
                if names_a_moment(said) and coach_fact_question(said) is None
                else []
            )
            if len(named) > 1:
                return {CHOICE: NARROWED + ",".join(str(offers[i].slot_id) for i in named)}
            # "liever donderdag", "heb je niks na 16:00?": look again with that wish.
            refined = refined_when(tracker) or wish_again(tracker)
            if refined is not None:
                return {WHEN: refined.to_dict()}
        if index is None and self._interrupted(tracker):
            return {}
        return {CHOICE: None if index is None else str(offers[index].slot_id)}

    def extract_coach_confirm(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if not _asked(tracker, CONFIRM):
            return {}
        # "Nee, doe maar 3" or just "3" at the yes/no question: another time, asked about
        # again (never book a time the question did not name). Validation unpacks it.
        offers = offers_from_slot_value(tracker.get_slot(OFFERS))
        index = _picked_offer(tracker, loose=True)
        if index is not None and str(offers[index].slot_id) != str(tracker.get_slot(CHOICE)):
            return {CONFIRM: f"{OTHER_CHOICE}{offers[index].slot_id}"}
        # "nee, liever donderdag" / "morgen kan niet": back to the times, with that wish.
        refined = refined_when(tracker)
        if refined is not None:
            return {WHEN: refined.to_dict(), CHOICE: None}
        return self._extract_yes_no(tracker, CONFIRM)

    def validate_coach_slot(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Only checks the choice: nothing is taken before the employee says yes."""
        offers = offers_from_slot_value(tracker.get_slot(OFFERS))
        if value is None and WHEN in tracker.slots_to_validate():
            return {CHOICE: None}  # a new wish: new times are shown, no complaint
        if isinstance(value, str) and value.startswith(NARROWED):
            wanted = value.removeprefix(NARROWED).split(",")
            narrowed = [
                replace(offer, narrowed=True) for offer in offers if str(offer.slot_id) in wanted
            ]
            if len(narrowed) > 1:  # the list of just these is asked next (texts.offers_message)
                return {CHOICE: None, OFFERS: [offer.to_dict() for offer in narrowed]}
        if value is None or not any(str(offer.slot_id) == str(value) for offer in offers):
            dispatcher.utter_message(text=texts.UNCLEAR_SLOT)
            return {CHOICE: None}
        return {CHOICE: str(value), CONFIRM: None}

    async def _retry_after_slot_problem(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        reason: str,
        chosen: SlotOffer,
    ) -> dict[str, Any]:
        """The chosen time could not be had: say why and offer others (without that one)."""
        dispatcher.utter_message(text=texts.slot_problem(reason))
        return await self._offer_times(
            dispatcher,
            region=tracker.get_slot(REGION),
            mode=tracker.get_slot(MODE) or MODE_ANY,
            preference=remembered_preference(tracker, tracker.get_slot(WHEN)),
            exclude=(chosen.slot_id,),
        ) | {CHOICE: None, CONFIRM: None}

    def _declined(self, value: Any, dispatcher: CollectingDispatcher) -> dict[str, Any] | None:
        """Not a yes: another time (ask about that one), unclear (ask again), or "nee"
        (back to the times). None for a yes."""
        if isinstance(value, str) and value.startswith(OTHER_CHOICE):
            return {CHOICE: value.removeprefix(OTHER_CHOICE), CONFIRM: None}
        if value is None:
            dispatcher.utter_message(text=texts.UNCLEAR_YES_NO)
            return {CONFIRM: None}
        if value is not True:
            dispatcher.utter_message(text=texts.NOT_BOOKED)
            return {CONFIRM: None, CHOICE: None}
        return None

    async def _offer_times(
        self,
        dispatcher: CollectingDispatcher,
        *,
        region: str,
        mode: str,
        preference: WhenPreference,
        exclude: tuple[int, ...] = (),
    ) -> dict[str, Any]:
        """Stores the offers for the next question, or ends the form when nothing is free."""
        settings = load_settings()
        offers = await _run_session().call(
            offers_or_alternatives,
            region=region,
            mode=mode,
            preference=preference,
            now=utcnow(),
            horizon_days=settings.booking_horizon_days,
            exclude=exclude,
        )
        remembered = {NOT_DATES: sorted(day.isoformat() for day in preference.not_dates)}
        if not offers:
            dispatcher.utter_message(text=texts.NOTHING_FREE)
            return {WHEN: preference.to_dict(), OFFERS: [], REQUESTED: None} | remembered
        offered = [offer.to_dict() for offer in offers]
        return {WHEN: preference.to_dict(), OFFERS: offered} | remembered


# --- Booking --------------------------------------------------------------------------------


class ActionCoachStart(Action):
    """Starts a fresh booking: forgets an earlier one and keeps what this message says."""

    def name(self) -> str:
        return "action_coach_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        events: list[EventType] = [SlotSet(slot, None) for slot in COACH_RESET]
        named = next(tracker.get_latest_entity_values(REGION), None)
        region = normalize_region(str(named)) if named else normalize_region(latest_text(tracker))
        if region is not None:  # kept from an earlier request unless a new one is named
            events.append(SlotSet(REGION, region))
        mode = parse_mode(latest_text(tracker))
        if mode is not None and mode != MODE_ANY:
            events.append(SlotSet(MODE, mode))
        named = when_in_message(tracker)
        if named is not None:
            events.append(SlotSet(WHEN, remembered_preference(tracker, named.to_dict()).to_dict()))
        # Say at once when a booking cannot be made, instead of after five questions.
        settings = load_settings()
        owner = booking_owner(tracker)
        async with RunSession(settings.database_url) as run:
            refusal = await run.call(
                booking_refusal, owner=owner, limits=booking_limits(settings), now=utcnow()
            )
            if refusal is None:
                return events
            await _say_refusal(dispatcher, run, owner, refusal)
        return [*events, FollowupAction("action_listen")]


class ValidateCoachForm(_LedgerFormValidation):
    def name(self) -> str:
        return "validate_coach_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        return list(COACH_FORM_SLOTS)

    def extract_coach_slot(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A time, or another province to look in (booking only: a move keeps its region)."""
        # "waar is die locatie. in apeldoorn?" asks where the times are; it is no switch
        asks_where = coach_fact_question(latest_text(tracker)) is not None
        if _asked(tracker, CHOICE) and _picked_offer(tracker) is None and not asks_where:
            switched = place_switch(tracker)
            if switched is not None:
                return switched
        return super().extract_coach_slot(dispatcher, tracker, domain)

    def extract_region(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if not _asked(tracker, REGION):
            # A place named in passing ("online, in Apeldoorn") is taken without a word.
            if tracker.get_slot(REGION) is None and requested_slot(tracker) in (None, MODE, WHEN):
                named = next(tracker.get_latest_entity_values(REGION), None)
                text = str(named) if named else latest_text(tracker)
                region = normalize_region(text, fuzzy=False)
                return {REGION: region} if region else {}
            return {}
        named = next(tracker.get_latest_entity_values(REGION), None)
        region = normalize_region(str(named)) if named else None
        region = region or normalize_region(latest_text(tracker))
        if region is None and self._interrupted(tracker):
            return {}
        return {REGION: region}

    async def validate_region(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        region = normalize_region(str(value)) if value else None
        if region is None:
            dispatcher.utter_message(text=texts.UNKNOWN_REGION)
            return {REGION: None}
        return {REGION: region} | await self._offers_once_complete(
            dispatcher, tracker, region=region
        )

    def extract_coach_mode(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if not _asked(tracker, MODE):
            # "online" said before the question was asked is taken; "maakt niet uit" is not.
            if tracker.get_slot(MODE) is None and requested_slot(tracker) in (None, REGION, WHEN):
                mode = parse_mode(latest_text(tracker))
                return {MODE: mode} if mode not in (None, MODE_ANY) else {}
            return {}
        mode = parse_mode(latest_text(tracker))
        if mode is None and self._interrupted(tracker):
            return {}
        return {MODE: mode}

    async def validate_coach_mode(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if value is None:
            dispatcher.utter_message(text=texts.UNCLEAR_MODE)
            return {MODE: None}
        return {MODE: value} | await self._offers_once_complete(dispatcher, tracker, mode=value)

    async def _offers_once_complete(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        *,
        region: str | None = None,
        mode: str | None = None,
    ) -> dict[str, Any]:
        """Times were named before the region or mode was known: look them up now that
        both are (unless ``validate_coach_when`` does it in this same run)."""
        when = tracker.get_slot(WHEN)
        region = region or tracker.get_slot(REGION)
        mode = mode or tracker.get_slot(MODE)
        if when is None or WHEN in tracker.slots_to_validate() or not region or not mode:
            return {}
        if tracker.get_slot(OFFERS):
            return {}
        return await self._offer_times(
            dispatcher,
            region=region,
            mode=mode,
            preference=remembered_preference(tracker, when),
        )

    async def validate_coach_when(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if value is None:
            dispatcher.utter_message(text=texts.UNCLEAR_WHEN)
            return {WHEN: None}
        region = normalize_region(str(tracker.get_slot(REGION) or ""))
        mode = tracker.get_slot(MODE)
        if region is None or mode is None:
            # Named early ("na 4 uur" in the first message): kept until region and mode are known.
            return {WHEN: remembered_preference(tracker, value).to_dict(), OFFERS: None}
        return await self._offer_times(
            dispatcher,
            region=region,
            mode=mode,
            preference=remembered_preference(tracker, value),
        )

    async def validate_coach_confirm(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Books the chosen slot after a yes, for this owner and within the limits."""
        declined = self._declined(value, dispatcher)
        if declined is not None:
            return declined
        chosen = _chosen_offer(tracker)
        if chosen is None:
            dispatcher.utter_message(text=texts.UNCLEAR_SLOT)
            return {CHOICE: None, CONFIRM: None}
        settings = load_settings()
        run = _run_session()
        owner = booking_owner(tracker)
        try:
            view = await run.call(
                book_slot,
                slot_id=chosen.slot_id,
                mode=chosen.mode,
                region=tracker.get_slot(REGION),
                now=utcnow(),
                actor="action:coach_form",
                owner=owner,
                limits=booking_limits(settings),
            )
        except BookingError as refused:
            if refused.reason in LIMIT_REASONS:
                await _say_refusal(dispatcher, run, owner, refused.reason)
                return {CHOICE: None, CONFIRM: None, REQUESTED: None}
            return await self._retry_after_slot_problem(dispatcher, tracker, refused.reason, chosen)
        await record_trend(tracker, trend.COACH_BOOKED)
        dispatcher.utter_message(text=texts.BOOKED)
        return {CONFIRM: True, BOOKED: view.code}

    def extract_coach_email_consent(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if _asked(tracker, CONSENT) and latest_intent(tracker)[0] == "request_coach":
            # "ik wil nog een coach": no e-mail now; the summary says one booking at a time.
            return {CONSENT: False}
        return self._extract_yes_no(tracker, CONSENT)

    def validate_coach_email_consent(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return _checked_yes_no(dispatcher, CONSENT, value)


class ActionAskRegion(Action):
    def name(self) -> str:
        return "action_ask_region"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        dispatcher.utter_message(text=texts.ASK_REGION, buttons=texts.region_buttons())
        return []


class ActionAskCoachMode(Action):
    def name(self) -> str:
        return "action_ask_coach_mode"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        dispatcher.utter_message(text=texts.ASK_MODE, buttons=texts.buttons(*texts.MODE_BUTTONS))
        return []


class ActionAskCoachWhen(Action):
    def name(self) -> str:
        return "action_ask_coach_when"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        dispatcher.utter_message(text=texts.ASK_WHEN, buttons=texts.buttons(*texts.WHEN_BUTTONS))
        return []


class ActionAskCoachSlot(Action):
    """Shows the offers that the validation of ``coach_when`` (or a failed try) stored."""

    def name(self) -> str:
        return "action_ask_coach_slot"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        offers = offers_from_slot_value(tracker.get_slot(OFFERS))
        if offers:
            _send_offers(dispatcher, tracker, offers)
        else:
            dispatcher.utter_message(text=texts.NO_OFFERS_LEFT)
        return []


class ActionAskCoachConfirm(Action):
    """ "Zal ik ... voor je vastzetten?" (or, when moving, "... verzetten?") with Ja / Nee."""

    def name(self) -> str:
        return "action_ask_coach_confirm"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        chosen = _chosen_offer(tracker)
        if chosen is None:  # pragma: no cover - the form asks this only after a choice
            dispatcher.utter_message(text=texts.UNCLEAR_SLOT)
            return [SlotSet(CHOICE, None)]
        moving = active_form(tracker) == "booking_reschedule_form"
        question = texts.ask_move_confirm(chosen) if moving else texts.ask_confirm(chosen)
        dispatcher.utter_message(
            text=question, buttons=[dict(button) for button in texts.CONFIRM_BUTTONS]
        )
        return []


class ActionAskCoachEmailConsent(Action):
    def name(self) -> str:
        return "action_ask_coach_email_consent"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        days = load_settings().booking_email_retention_days
        dispatcher.utter_message(
            text=texts.ask_email_consent(days), buttons=texts.buttons("Ja", "Nee")
        )
        return []


async def coach_facts_answer(tracker: Tracker, run: RunSession, topics: tuple[str, ...]) -> str:
    """The ledger's answer to the coach facts asked (length, cost and voucher, link)."""
    settings = load_settings()
    identity = verified_identity(tracker)
    facts = await run.call(
        coach_facts,
        owner=booking_owner(tracker),
        municipality=identity.municipality if identity else None,
        now=utcnow(),
        employee_keys=identity.employee_keys.all() if identity else (),
    )
    page = email_url(settings, facts.booking) if facts.booking else None
    return texts.coach_facts_text(facts, topics, page, anonymous=identity is None)


def asked_coach_facts(text: str) -> tuple[str, ...]:
    """The coach facts asked in a message that answered something else ("ja graag. en
    wordt die coach betaald met die voucher?"); empty when it asks none."""
    for question in split_questions(text):
        topics = topics_in(question)
        if topics:
            return topics
    return ()


class ActionCoachBookingDone(Action):
    """After ``coach_form``: the booking code, the calendar file and, after a yes, the
    link to leave an e-mail address. Clears the form's slots for a next booking."""

    def name(self) -> str:
        return "action_coach_booking_done"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        code = tracker.get_slot(BOOKED)
        reset = [SlotSet(slot, None) for slot in COACH_RESET]
        if not code:
            return reset
        settings = load_settings()
        async with RunSession(settings.database_url) as run:
            view = await run.call(find_booking, raw_code=str(code), owner=booking_owner(tracker))
            if view is None:
                dispatcher.utter_message(text=texts.booking_problem("booking_unknown"))
                return reset
            consent = tracker.get_slot(CONSENT) is True
            dispatcher.utter_message(
                text=texts.booking_done(
                    view, ics_url(settings, view), email_url(settings, view) if consent else None
                )
            )
            # "ja graag. en wordt die coach betaald met die voucher?": the yes counted, and
            # the question gets its answer after the booking (not "Zeg ja of nee").
            topics = asked_coach_facts(latest_text(tracker))
            if topics:
                dispatcher.utter_message(text=await coach_facts_answer(tracker, run, topics))
        if latest_intent(tracker)[0] == "request_coach":
            dispatcher.utter_message(
                text=texts.ONE_AT_A_TIME, buttons=[dict(button) for button in texts.CHANGE_BUTTONS]
            )
        return reset


# --- Cancelling and moving ------------------------------------------------------------------


#: Words that ask to cancel. NLU read "gaat de afspraak van donderdag van mijn voucher af?"
#: as cancel_booking (walkthrough 2026-12-03b); the cancel question needs one of these.
_CANCEL_WORDS = re.compile(
    r"\b(?:af\s*zeg\w*|afzeg\w*|afgezegd|zeg\b.*\baf\b|zie\b.*\baf\b|an+ul\w*|geannuleerd|"
    r"cancel\w*|niet\s+(?:meer\s+)?(?:komen|naar)\b|kom\b.*\bniet\b|"
    r"kan\s+(?:\w+\s+){0,3}niet\b|niet\s+door\b|mag\s+weg|weghalen|schrap\w*|intrek\w*|"
    r"in\s+trekken|afmeld\w*|meld\b.*\baf\b|verwijder\w*)",
    re.IGNORECASE,
)


def asks_to_cancel(text: str) -> bool:
    """The message itself asks to cancel (a button payload always does)."""
    stripped = text.strip()
    return stripped.startswith("/") or _CANCEL_WORDS.search(stripped) is not None


def _shift_wish(text: str, own: BookingView | None) -> dict[str, Any] | None:
    """ "kan het een dag later?" right after booking: the day after the booked one, as the
    wish for the new time (walkthrough of 2026-12-04: the fallback answered)."""
    if own is None:
        return None
    day = shifted_day(text, own.starts_at.astimezone(LOCAL_TZ).date())
    return WhenPreference(dates=frozenset({day})).to_dict() if day else None


class ActionBookingChangeStart(Action):
    """Before cancelling or moving: takes a code from this message, forgets older answers.

    A cancel without cancel words is no cancel: the question gets its answer (the coach
    facts) or the booking is shown with the buttons to change it, and no form starts.
    """

    def name(self) -> str:
        return "action_booking_change_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        text = latest_text(tracker)
        if latest_intent(tracker)[0] == "cancel_booking" and not asks_to_cancel(text):
            return await self._no_cancel(dispatcher, tracker, text)
        found = booking_code_in(tracker)
        code = found.normalized if found else None
        own = None
        if code is None:
            # No code typed: this conversation's (or employee's) own booking, if there is one.
            async with RunSession(load_settings().database_url) as run:
                own = await run.call(active_booking_of, owner=booking_owner(tracker), now=utcnow())
            code = own.code if own else None
        return [
            SlotSet(BOOKING_CODE, code),
            SlotSet(CANCEL_CONFIRM, None),
            SlotSet(WHEN, _shift_wish(text, own)),
            SlotSet(OFFERS, None),
            SlotSet(CHOICE, None),
            SlotSet(CONFIRM, None),
        ]

    async def _no_cancel(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, text: str
    ) -> list[EventType]:
        async with RunSession(load_settings().database_url) as run:
            topics = topics_in(text)
            if topics:
                dispatcher.utter_message(text=await coach_facts_answer(tracker, run, topics))
                return [FollowupAction("action_listen")]
            own = await run.call(active_booking_of, owner=booking_owner(tracker), now=utcnow())
        if own is None:
            dispatcher.utter_message(text=texts.CODE_NOT_FOUND_VERIFIED)
        else:
            dispatcher.utter_message(
                text=f"{texts.current_booking(own)}\n{texts.CHANGE_QUESTION}",
                buttons=[dict(button) for button in texts.CHANGE_BUTTONS],
            )
        return [FollowupAction("action_listen")]


#: When a workshop sign-up code is given where a coach booking code was asked.
SIGNUP_CHOICES = [
    {"title": "Workshop verzetten", "payload": "/move_signup"},
    {"title": "Workshop afzeggen", "payload": "/cancel_signup"},
]


class _BookingCodeSteps(_LedgerFormValidation, ABC):
    """Reading and checking a booking code (shared by cancelling and moving)."""

    def extract_booking_code(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if not _asked(tracker, BOOKING_CODE):
            return {}
        found = booking_code_in(tracker, asked=True)
        if found is None and self._interrupted(tracker):
            return {}
        # Keep what was typed, so validation can say what is wrong with it.
        return {BOOKING_CODE: found.normalized if found else latest_text(tracker)[:40] or None}

    async def _checked_booking(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> BookingView | None:
        """The booking of a typed code, if this owner made it; otherwise "unknown code"."""
        found = find_code(str(value or ""), "booking", lenient=True)
        if found is None or not found.ok:
            dispatcher.utter_message(text=texts.code_problem(found, "booking"))
            return None
        view = await _run_session().call(
            find_booking, raw_code=found.normalized, owner=booking_owner(tracker)
        )
        if view is None:
            dispatcher.utter_message(text=texts.booking_problem("booking_unknown"))
            return None
        return view

    def _final_problem(self, view: BookingView) -> str | None:
        """A cancelled or past booking cannot be changed: the form stops with a reason."""
        if view.status != "active":
            return texts.booking_problem("booking_cancelled")
        if view.starts_at <= utcnow():
            return texts.booking_problem("booking_past")
        return None

    def slots_for_booking(self, view: BookingView) -> dict[str, Any]:
        """Slots to fill once the booking code is known (forms may add more)."""
        return {BOOKING_CODE: view.code}

    async def validate_booking_code(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        signup = find_code(str(value or ""), "signup", lenient=True)
        if signup is not None and signup.ok:  # a workshop sign-up code, not a coach booking
            dispatcher.utter_message(text=texts.SIGNUP_CODE_IN_BOOKING, buttons=SIGNUP_CHOICES)
            return {BOOKING_CODE: None, REQUESTED: None}
        view = await self._checked_booking(value, dispatcher, tracker)
        if view is None:
            return {BOOKING_CODE: None}
        problem = self._final_problem(view)
        if problem:
            dispatcher.utter_message(text=problem)
            return {BOOKING_CODE: None, REQUESTED: None}
        dispatcher.utter_message(text=texts.current_booking(view))
        return self.slots_for_booking(view)


class ValidateBookingCancelForm(_BookingCodeSteps):
    def name(self) -> str:
        return "validate_booking_cancel_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        return list(CANCEL_FORM_SLOTS)

    def extract_booking_cancel_confirm(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._extract_yes_no(tracker, CANCEL_CONFIRM)

    def validate_booking_cancel_confirm(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return _checked_yes_no(dispatcher, CANCEL_CONFIRM, value)


class ActionAskBookingCode(Action):
    def name(self) -> str:
        return "action_ask_booking_code"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        dispatcher.utter_message(text=texts.ASK_BOOKING_CODE)
        return []


class ActionAskBookingCancelConfirm(Action):
    def name(self) -> str:
        return "action_ask_booking_cancel_confirm"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        dispatcher.utter_message(
            text="Wil je deze afspraak echt afzeggen?",
            buttons=[dict(button) for button in texts.CANCEL_CONFIRM_BUTTONS],
        )
        return []


class ActionCancelBooking(Action):
    """After ``booking_cancel_form``: cancels when the employee said yes."""

    def name(self) -> str:
        return "action_cancel_booking"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        code = tracker.get_slot(BOOKING_CODE)
        confirmed = tracker.get_slot(CANCEL_CONFIRM)
        reset = [SlotSet(BOOKING_CODE, None), SlotSet(CANCEL_CONFIRM, None)]
        if not code:
            return reset
        if confirmed is not True:
            dispatcher.utter_message(text=texts.KEEP_BOOKING)
            return reset
        settings = load_settings()
        async with RunSession(settings.database_url) as run:
            try:
                await run.call(
                    cancel_booking,
                    code=str(code),
                    now=utcnow(),
                    actor="action:cancel_booking",
                    owner=booking_owner(tracker),
                )
            except BookingError as refused:
                dispatcher.utter_message(text=texts.booking_problem(refused.reason))
                return reset
        await record_trend(tracker, trend.COACH_CANCELLED)
        dispatcher.utter_message(
            text=texts.CANCELLED,
            buttons=[{"title": "Nieuwe afspraak maken", "payload": "/request_coach"}],
        )
        return reset


class ValidateBookingRescheduleForm(_BookingCodeSteps):
    def name(self) -> str:
        return "validate_booking_reschedule_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        return list(RESCHEDULE_FORM_SLOTS)

    def slots_for_booking(self, view: BookingView) -> dict[str, Any]:
        # The new time is looked for in the same region and the same way of meeting.
        return {BOOKING_CODE: view.code, REGION: view.region, MODE: view.mode}

    async def validate_coach_when(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if value is None:
            dispatcher.utter_message(text=texts.UNCLEAR_WHEN)
            return {WHEN: None}
        return await self._offer_times(
            dispatcher,
            region=tracker.get_slot(REGION),
            mode=tracker.get_slot(MODE) or MODE_ANY,
            preference=remembered_preference(tracker, value),
            exclude=(),
        )

    async def validate_coach_confirm(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Moves the booking after a yes; only the owner's own booking, within the limits."""
        declined = self._declined(value, dispatcher)
        if declined is not None:
            return declined
        chosen = _chosen_offer(tracker)
        if chosen is None:
            dispatcher.utter_message(text=texts.UNCLEAR_SLOT)
            return {CHOICE: None, CONFIRM: None}
        settings = load_settings()
        run = _run_session()
        owner = booking_owner(tracker)
        try:
            await run.call(
                reschedule_booking,
                code=str(tracker.get_slot(BOOKING_CODE)),
                new_slot_id=chosen.slot_id,
                now=utcnow(),
                actor="action:reschedule_booking",
                email_retention=timedelta(days=settings.booking_email_retention_days),
                owner=owner,
                limits=booking_limits(settings),
            )
        except BookingError as refused:
            if refused.reason in LIMIT_REASONS:
                await _say_refusal(dispatcher, run, owner, refused.reason)
                return {CHOICE: None, CONFIRM: None, REQUESTED: None}
            if refused.reason.startswith("booking_"):
                dispatcher.utter_message(text=texts.booking_problem(refused.reason))
                return {CHOICE: None, CONFIRM: None, REQUESTED: None}
            return await self._retry_after_slot_problem(dispatcher, tracker, refused.reason, chosen)
        return {CONFIRM: True}


class ActionRescheduleDone(Action):
    """After ``booking_reschedule_form``: the new time and the updated calendar file."""

    def name(self) -> str:
        return "action_reschedule_done"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        code = tracker.get_slot(BOOKING_CODE)
        reset = [SlotSet(slot, None) for slot in RESCHEDULE_RESET]
        if not code or tracker.get_slot(CONFIRM) is not True:
            return reset
        settings = load_settings()
        async with RunSession(settings.database_url) as run:
            view = await run.call(find_booking, raw_code=str(code), owner=booking_owner(tracker))
        if view is not None:
            dispatcher.utter_message(text=texts.rescheduled(view, ics_url(settings, view)))
        return reset


# --- Facts and a lost code ------------------------------------------------------------------


def _live_signups(session: Session, *, who: VerifiedIdentity) -> list[SignupView]:
    """The employee's workshop sign-ups still to come (for "krijg ik een link?")."""
    return employee_signups(
        session,
        employee_key=who.employee_keys.current,
        previous_keys=list(who.employee_keys.all()[1:]),
        now=utcnow(),
    )


#: A cost question that names EVC ("wie betaalt evc?") is about EVC: NLU hears "betaalt" and
#: "kost" as the coach's price (walkthrough of 2026-12-03, third round).
_EVC_WORD = re.compile(r"\bevc\b", re.IGNORECASE)
_DISTANCE = re.compile(r"\b(?:hoe\s+)?ver\s+(?:weg\s+)?van\b|\bhoe\s+ver\b", re.IGNORECASE)


class ActionCoachFacts(Action):
    """ "Hoe lang duurt zo'n gesprek?", "hoe krijg ik de link?": answered from the ledger."""

    def name(self) -> str:
        return "action_coach_facts"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        settings = load_settings()
        identity = verified_identity(tracker)
        text = latest_text(tracker)
        evc_topics = opportunity_chat.evc_topics(text) if _EVC_WORD.search(text) else ()
        if evc_topics:  # "wie betaalt evc eigenlijk? en wat kost dat": EVC, not the coach
            dispatcher.utter_message(text=opportunity_chat.evc_facts_text(evc_topics))
            return []
        async with RunSession(settings.database_url) as run:
            facts = await run.call(
                coach_facts,
                owner=booking_owner(tracker),
                municipality=identity.municipality if identity else None,
                now=utcnow(),
                employee_keys=identity.employee_keys.all() if identity else (),
            )
            workshops = await run.call(_live_signups, who=identity) if identity else []
            offer = _chosen_offer(tracker) if active_form(tracker) else None
            proposed = (
                (offer, await run.call(coach_location, slot_id=offer.slot_id))
                if offer is not None
                else None
            )
            listed = (
                offers_from_slot_value(tracker.get_slot(OFFERS))
                if offer is None and _asked(tracker, CHOICE)
                else []
            )
            places = (
                await run.call(coach_locations, slot_ids=[o.slot_id for o in listed])
                if listed
                else {}
            )
        if signup_chat.asks_workshop_entry(text) or (
            facts.booking is None
            and signup_chat.asks_online_entry(text)
            and any(signup_chat.is_online(view) for view in workshops)
        ):  # the online workshop the employee is in, not a coach they have not booked
            dispatcher.utter_message(text=signup_chat.workshop_entry_text(workshops))
            return []
        page = email_url(settings, facts.booking) if facts.booking else None
        if _DISTANCE.search(text):  # "is dat ver van apeldoorn?": say what Koers cannot know
            dispatcher.utter_message(text=texts.DISTANCE_UNKNOWN)
        dispatcher.utter_message(
            text=texts.coach_facts_text(
                facts,
                topics_in(latest_text(tracker)),
                page,
                anonymous=identity is None,
                proposed=proposed,
                offered=[(o, places.get(o.slot_id)) for o in listed],
            )
        )
        return []


class ActionFindBookingCode(Action):
    """A lost booking code: found through this conversation or the verified identity, never
    through anything typed (a code of someone else is never shown)."""

    def name(self) -> str:
        return "action_find_booking_code"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        async with RunSession(load_settings().database_url) as run:
            view = await run.call(active_booking_of, owner=booking_owner(tracker), now=utcnow())
        if view is not None:
            dispatcher.utter_message(
                text=texts.code_found(view),
                buttons=[dict(button) for button in texts.CHANGE_BUTTONS],
            )
        elif verified_identity(tracker) is None:
            dispatcher.utter_message(text=texts.CODE_NOT_FOUND_ANONYMOUS)
        else:
            dispatcher.utter_message(
                text=texts.CODE_NOT_FOUND_VERIFIED,
                buttons=[{"title": "Nieuwe afspraak maken", "payload": "/request_coach"}],
            )
        return []
