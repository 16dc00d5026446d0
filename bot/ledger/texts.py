"""What Koers says about coaches, bookings and vouchers (Dutch, B1, informal "je").

Pure functions: the actions in ``actions/coach.py`` and ``actions/voucher.py`` only choose
which text to send. Buttons send plain text, so clicking and typing work the same.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from bot.clock import LOCAL_TZ
from bot.ledger.booking import (
    ANONYMOUS_FULL,
    BOOKING_ALREADY_ACTIVE,
    BOOKING_IS_CANCELLED,
    BOOKING_PAST,
    BOOKING_RATE_LIMITED,
    BOOKING_SAME_SLOT,
    BOOKING_UNKNOWN,
    NEEDS_IDENTITY,
    OFFER_ELSEWHERE_ONLINE,
    OFFER_LATER,
    SLOT_MODE,
    SLOT_PAST,
    SLOT_TAKEN,
    SLOT_UNKNOWN,
    BookingView,
    SlotOffer,
)
from bot.ledger.catalog import (
    MODE_ON_LOCATION,
    MODE_ONLINE,
    REGIONS,
    VOUCHER_CANCELLED,
    VOUCHER_EXPIRED,
    VOUCHER_ISSUED,
    VOUCHER_REDEEMED,
    VOUCHER_RESERVED,
    WORKSHOP_ABOUT,
    WORKSHOP_THEMES,
)
from bot.ledger.codes import CodeCheck, CodeProblem, format_code
from bot.ledger.facts import (
    TOPIC_COST,
    TOPIC_COUNT,
    TOPIC_DURATION,
    TOPIC_LINK,
    TOPIC_PLACE,
    TOPIC_WHO_KNOWS,
    CoachFacts,
)
from bot.ledger.preferences import (
    MODE_ANY,
    MODE_ONLINE_ANYWHERE,
    WEEKDAY_SHORT,
    WhenPreference,
    day_fits,
    describe_preference,
    format_date,
    format_day,
    format_moment,
    format_time,
    time_fits,
)
from bot.ledger.vouchers import (
    BUDGET_EXHAUSTED,
    MUNICIPALITY_UNKNOWN,
    NOT_PARTICIPATING,
    VoucherView,
)
from bot.ledger.workshops import WorkshopDate

Button = dict[str, str]

EXAMPLE_VOUCHER_CODE = "ABCD-EFGH-JKMN-PQRS"
EXAMPLE_BOOKING_CODE = "ABCDE-FGHJK"
ASK_PNO = "Lukt het niet? Vraag het dan aan de afdeling P&O van je gemeente."


def buttons(*titles: str) -> list[Button]:
    return [{"title": title, "payload": title} for title in titles]


# --- Booking a coach --------------------------------------------------------------------

ASK_REGION = (
    "In welke provincie wil je een coach spreken? Kies hieronder, of typ de naam van de "
    "provincie of je woonplaats."
)
UNKNOWN_REGION = "Sorry, die provincie ken ik niet. Je mag ook een grote stad typen, zoals Zwolle."
ASK_MODE = "Wil je de coach online spreken of op locatie?"
UNCLEAR_MODE = "Sorry, dat begreep ik niet goed."
MODE_BUTTONS = ("Online", "Op locatie", "Maakt niet uit")
ASK_WHEN = "Welke dagen of welk dagdeel passen jou? Typ bijvoorbeeld: dinsdag of donderdagmiddag."
UNCLEAR_WHEN = "Dat snap ik niet goed. Noem een dag, zoals maandag. Of een dagdeel, zoals middag."
WHEN_BUTTONS = ("Ochtend", "Middag", "Avond", "Maakt niet uit")
NOTHING_FREE = (
    "Sorry, er is nu geen enkele tijd vrij bij een coach. Probeer het over een paar dagen "
    "nog eens. Je kunt ook bij de afdeling P&O van je gemeente vragen naar een loopbaancoach."
)
UNCLEAR_SLOT = "Welke tijd bedoel je? Typ het nummer van de tijd, bijvoorbeeld 2."
BOOKED = "Gelukt! Je afspraak staat vast."
UNCLEAR_YES_NO = "Zeg ja of nee, dan weet ik wat je wilt."
KEEP_BOOKING = "Oké, je afspraak blijft gewoon staan."
NO_OFFERS_LEFT = "Er zijn nu geen andere tijden vrij. Probeer het later nog eens."


def region_buttons() -> list[Button]:
    return buttons(*REGIONS)


def _how(mode: str, location: str | None = None) -> str:
    if mode == MODE_ONLINE:
        return "online"
    return f"op locatie: {location}" if location else "op locatie"


def offer_label(offer: SlotOffer) -> str:
    return (
        f"{format_moment(offer.starts_at, offer.ends_at)}, {offer.coach_name}, {_how(offer.mode)}"
    )


def offer_button_title(number: int, offer: SlotOffer) -> str:
    local = offer.starts_at.astimezone(LOCAL_TZ)
    day = WEEKDAY_SHORT[local.weekday()]
    # the coach's first name: two coaches at one time read the same otherwise (walkthrough of
    # 2026-12-03, "4. di 8-12 16:00" twice)
    first_name = offer.coach_name.split()[0] if offer.coach_name.strip() else ""
    moment = f"{number}. {day} {local.day}-{local.month} {format_time(offer.starts_at)}"
    return f"{moment} {first_name}".rstrip()


#: Button under a list for one region: look at online coaches of every province too.
ELSEWHERE_BUTTON = "Ook coaches uit andere provincies (online)"


def alternative_note(offer: SlotOffer, preference: WhenPreference) -> str:
    """How a nearest-other time differs from what was asked: only what is true of it."""
    if offer.kind == OFFER_ELSEWHERE_ONLINE:
        return " (coach uit een andere provincie)"  # the label already says "online"
    if offer.kind != OFFER_LATER:
        return ""
    day_ok = day_fits(offer.starts_at, preference)
    time_ok = time_fits(offer.starts_at, preference)
    if day_ok and time_ok:
        return " (later)"  # fits the wish, but past the weeks that were looked at
    if time_ok:
        return " (andere dag)"
    if day_ok:
        return " (ander tijdstip)"
    return " (andere dag en tijd)"


def nothing_fits(preference: WhenPreference, region: str | None, mode: str) -> str:
    """The plain sentence when no time fits the wish: "Na 16:00 is er in Overijssel de
    komende weken niets vrij." (``region`` None: at no coach online, anywhere)."""
    where = f"in {region}" if region else "bij geen enkele coach online"
    how = " voor een gesprek op locatie" if mode == MODE_ON_LOCATION else ""
    if preference.is_any:
        return f"{where[0].upper()}{where[1:]} is de komende weken niets vrij{how}."
    wish = describe_wish(preference)
    return f"{wish[0].upper()}{wish[1:]} is er {where} de komende weken niets vrij{how}."


def describe_wish(preference: WhenPreference) -> str:
    """The wish in the employee's words: "na 16:00", "op dinsdag, in de middag".

    Weekdays Monday to Friday are left out: coaches work on weekdays anyway.
    """
    if preference.weekdays == frozenset(range(5)):
        preference = replace(preference, weekdays=frozenset())
    if preference.after_minutes is not None and preference.before_minutes is None:
        rest = describe_preference(replace(preference, after_minutes=None))
        after = preference.after_minutes
        # the minute after a time shown ("niks later?") reads as that time: "na 16:00"
        clock = f"na {format_clock(after - 1 if after % 5 == 1 else after)}"
        return clock if rest == "op elk moment" else f"{clock}, {rest}"
    return describe_preference(preference)


def format_clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def offers_message(
    offers: Sequence[SlotOffer], region: str, preference: WhenPreference, mode: str
) -> tuple[str, list[Button]]:
    """The list of free times to pick from (matches, or the nearest alternatives).

    When nothing in the region fits, that is said first in one plain sentence. Online coaches
    from other provinces are named as such; when the list also has times in the region, a
    button looks at every province (online does not depend on where you live).
    """
    anywhere = mode == MODE_ONLINE_ANYWHERE
    elsewhere = [offer for offer in offers if offer.kind == OFFER_ELSEWHERE_ONLINE]
    if offers and all(offer.narrowed for offer in offers):
        lines = [several_coaches_then(offers)]
    elif any(offer.kind == OFFER_LATER for offer in offers) or (elsewhere and not anywhere):
        lines = [nothing_fits(preference, None if anywhere else region, mode)]
        if elsewhere and len(elsewhere) == len(offers):
            lines.append(
                "Online kan het wel bij een coach uit een andere provincie. "
                "Waar je woont, maakt dan niet uit. Deze tijden passen:"
            )
        else:
            lines.append("Dit zijn de dichtstbijzijnde andere tijden:")
    elif anywhere:
        lines = ["Deze tijden zijn vrij, online, bij coaches uit heel Nederland:"]
    else:
        lines = [f"Deze tijden zijn vrij in {region}:"]
    for number, offer in enumerate(offers, start=1):
        lines.append(f"{number}. {offer_label(offer)}{alternative_note(offer, preference)}")
    if not (offers and all(offer.narrowed for offer in offers)):
        lines.append("Welke tijd wil je? Klik op een tijd of typ het nummer.")
    choices = [
        {"title": offer_button_title(number, offer), "payload": str(number)}
        for number, offer in enumerate(offers, start=1)
    ]
    if mode in (MODE_ONLINE, MODE_ANY) and elsewhere and len(elsewhere) < len(offers):
        choices.append({"title": ELSEWHERE_BUTTON, "payload": ELSEWHERE_BUTTON})
    return "\n".join(lines), choices


def slot_problem(reason: str) -> str:
    return {
        SLOT_TAKEN: "Jammer, die tijd is net door iemand anders geboekt.",
        SLOT_PAST: "Die tijd is al voorbij, of begint te snel. Kies een andere tijd.",
        SLOT_UNKNOWN: "Die tijd bestaat niet meer. Kies een andere tijd.",
        SLOT_MODE: "Die tijd past niet bij online of op locatie. Kies een andere tijd.",
    }.get(reason, "Die tijd lukt niet. Kies een andere tijd.")


def ask_confirm(offer: SlotOffer) -> str:
    """The last question before a slot is taken: nothing is booked without a yes."""
    return (
        f"Zal ik {format_day(offer.starts_at)} {format_time(offer.starts_at)} bij "
        f"{offer.coach_name} ({_how(offer.mode)}) voor je vastzetten?"
    )


def ask_move_confirm(offer: SlotOffer) -> str:
    return (
        f"Zal ik je afspraak verzetten naar {format_day(offer.starts_at)} "
        f"{format_time(offer.starts_at)} bij {offer.coach_name} ({_how(offer.mode)})?"
    )


CONFIRM_BUTTONS = ({"title": "Ja", "payload": "ja"}, {"title": "Nee", "payload": "nee"})
NOT_BOOKED = "Oké, ik zet niets vast. Kies een andere tijd. Of typ stop."

#: Said instead of booking when a limit is reached (nothing was booked, no mail was sent).
LIMIT_TEXTS = {
    BOOKING_ALREADY_ACTIVE: (
        "Je hebt al een afspraak met een coach. Je kunt één afspraak tegelijk hebben. "
        "Wil je die verzetten of afzeggen?"
    ),
    BOOKING_RATE_LIMITED: (
        "Je hebt net al vaak iets aan een afspraak veranderd. Probeer het over een uur nog "
        "eens. Of mail de coach als het dringend is."
    ),
    ANONYMOUS_FULL: (
        "Het is nu erg druk met afspraken zonder inloggen. Probeer het over een uur nog eens.\n"
        "Of open Koers via de link op het intranet van je gemeente en log daar in. "
        "Dan kan het meteen."
    ),
    NEEDS_IDENTITY: (
        "Voor een afspraak met een coach moet ik weten dat jij het bent. Dat gaat veilig via "
        "een speciale link, zonder dat ik je naam krijg.\n"
        "Open Koers via de link op het intranet van je gemeente en log daar in. "
        "Vraag het daarna hier opnieuw."
    ),
}
CHANGE_QUESTION = "Wil je iets aan je afspraak veranderen? Kies hieronder. Anders blijft hij staan."
CHANGE_BUTTONS = (
    {"title": "Afspraak verzetten", "payload": "/reschedule_booking"},
    {"title": "Afspraak afzeggen", "payload": "/cancel_booking"},
)


ONE_AT_A_TIME = (
    "Je kunt één afspraak tegelijk hebben. Wil je nog een gesprek? Dat kan na deze afspraak. "
    "Of verzet deze afspraak."
)


def already_booked(view: BookingView) -> str:
    """One active booking at a time: say which one, and how to change it."""
    return (
        f"Je hebt al een afspraak met {view.coach_name}: "
        f"{format_moment(view.starts_at, view.ends_at)}.\n"
        "Je kunt één afspraak tegelijk hebben. Wil je die verzetten of afzeggen?"
    )


def limit_text(reason: str) -> str:
    return LIMIT_TEXTS.get(reason, "Een afspraak maken lukt nu niet. Probeer het later nog eens.")


def ask_email_consent(retention_days: int) -> str:
    return (
        "Wil je dat de coach je kan mailen? Bijvoorbeeld met de link voor een online gesprek.\n"
        "Je typt je e-mailadres dan niet hier in de chat, maar op een aparte pagina. "
        f"Alleen de coach krijgt het. We wissen het {retention_days} dagen na de afspraak."
    )


def booking_done(view: BookingView, ics_url: str, email_url: str | None) -> str:
    lines = [
        f"Je afspraak met {view.coach_name}:",
        f"{format_moment(view.starts_at, view.ends_at)}, {_how(view.mode, view.location)}.",
        f"Je boekingscode is {format_code(view.code)}. Bewaar deze code goed. "
        "Daarmee kun je de afspraak verzetten of afzeggen.",
        f"[Zet de afspraak in je agenda]({ics_url})",
    ]
    if email_url:
        lines.append(f"[Vul je e-mailadres in voor de coach]({email_url})")
    else:
        lines.append(f"Wil je de coach zelf iets vragen? Mail dan naar {view.coach_email}.")
    return "\n".join(lines)


# --- Booking codes ----------------------------------------------------------------------

ASK_BOOKING_CODE = f"Wat is je boekingscode? Die ziet er zo uit: {EXAMPLE_BOOKING_CODE}."


def code_problem(check: CodeCheck | None, kind: str) -> str:
    """Explains what is wrong with a typed code (booking or voucher)."""
    example = EXAMPLE_VOUCHER_CODE if kind == "voucher" else EXAMPLE_BOOKING_CODE
    length = 16 if kind == "voucher" else 10
    name = "vouchercode" if kind == "voucher" else "boekingscode"
    if check is None or check.problem in (CodeProblem.EMPTY, CodeProblem.WRONG_LENGTH):
        return f"Ik zie geen goede code. Een {name} heeft {length} tekens, zoals {example}."
    if check.problem is CodeProblem.BAD_CHARACTER:
        shown = ", ".join(check.bad_characters)
        return (
            f"In een code staan nooit de tekens 0, 1, I, L of O. Jij typte: {shown}. "
            "Kijk nog eens goed, misschien is het een ander teken. Bijvoorbeeld Q of D in "
            "plaats van O."
        )
    return (
        "Deze code klopt niet helemaal. Misschien zit er een typfout in. "
        "Kijk de code nog eens goed na en typ hem opnieuw."
    )


def booking_problem(reason: str) -> str:
    return {
        BOOKING_UNKNOWN: (
            "Ik kan geen afspraak vinden met deze code. Kijk de code nog eens goed na."
        ),
        BOOKING_IS_CANCELLED: "Deze afspraak is al afgezegd.",
        BOOKING_PAST: "Deze afspraak is al geweest. Die kun je niet meer veranderen.",
        BOOKING_SAME_SLOT: "Dat is dezelfde tijd als je afspraak nu. Kies een andere tijd.",
    }.get(reason, "Dat lukt helaas niet.")


def current_booking(view: BookingView) -> str:
    return (
        f"Je afspraak is met {view.coach_name} op "
        f"{format_moment(view.starts_at, view.ends_at)}, {_how(view.mode, view.location)}."
    )


def ask_cancel_confirm(view: BookingView) -> str:
    return f"{current_booking(view)}\nWil je deze afspraak echt afzeggen?"


CANCEL_CONFIRM_BUTTONS = (
    {"title": "Ja, afzeggen", "payload": "ja"},
    {"title": "Nee, laat staan", "payload": "nee"},
)
CANCELLED = (
    "Je afspraak is afgezegd. De coach krijgt hiervan bericht. "
    "Wil je later toch een gesprek? Vraag dan gewoon opnieuw om een coach."
)


def rescheduled(view: BookingView, ics_url: str) -> str:
    return (
        f"Je afspraak is verzet. Je spreekt {view.coach_name} op "
        f"{format_moment(view.starts_at, view.ends_at)}, {_how(view.mode, view.location)}.\n"
        f"Je boekingscode blijft {format_code(view.code)}.\n"
        f"[Zet de nieuwe tijd in je agenda]({ics_url})"
    )


# --- Vouchers ---------------------------------------------------------------------------

NO_IDENTITY = (
    "Voor een voucher moet ik weten bij welke gemeente je werkt. Dat gaat veilig via een "
    "speciale link, zonder dat ik je naam krijg.\n"
    "Open Koers via de link op het intranet van je gemeente en log daar in. "
    "Vraag het daarna hier opnieuw.\n" + ASK_PNO
)


def voucher_refused(reason: str) -> str:
    if reason in (MUNICIPALITY_UNKNOWN, NOT_PARTICIPATING):
        return (
            "Je gemeente doet op dit moment niet mee met de vouchers. Vraag bij de afdeling "
            "P&O naar je loopbaanbudget of opleidingsbudget. Daar kun je vaak ook een "
            "workshop of coach van betalen."
        )
    if reason == BUDGET_EXHAUSTED:
        return (
            "Het geld voor vouchers van je gemeente is op voor dit jaar. Dat is jammer. "
            "Vraag bij de afdeling P&O of er nog een andere mogelijkheid is, zoals je "
            "loopbaanbudget."
        )
    return "Het aanvragen van een voucher lukt nu niet. " + ASK_PNO


def euros(cents: int) -> str:
    return (
        f"{cents // 100} euro" if cents % 100 == 0 else f"{cents / 100:.2f} euro".replace(".", ",")
    )


def voucher_details(view: VoucherView) -> str:
    return (
        f"Code: {format_code(view.code)}\n"
        f"Waarde: {euros(view.value_cents)}\n"
        f"Geldig tot {format_date(view.expires_at)}."
    )


def voucher_issued(view: VoucherView, new: bool) -> str:
    if new:
        head = "Je voucher is klaar!"
    else:
        head = "Je hebt dit jaar al een voucher. Je krijgt er één per jaar. Dit is je voucher:"
    return (
        f"{head}\n{voucher_details(view)}\n"
        "Geef de code aan de aanbieder als je je aanmeldt. De code werkt één keer. "
        "Deel hem niet met anderen."
    )


def spending_options(
    workshops: Mapping[str, Sequence[WorkshopDate]], booking: BookingView | None = None
) -> str:
    """What the voucher buys; with a coach booked already, that booking instead of "plan"."""
    lines = ["Je kunt de voucher gebruiken voor één van deze dingen:"]
    for theme, title in WORKSHOP_THEMES.items():
        dates = workshops.get(theme) or []
        about = f" ({WORKSHOP_ABOUT[theme]})" if theme in WORKSHOP_ABOUT else ""
        if dates:
            first = dates[0]
            lines.append(
                f"- Workshop: {title}{about}. Eerstvolgende keer: {format_day(first.starts_at)}, "
                f"{first.location}."
            )
        else:
            lines.append(f"- Workshop: {title}{about}. Nog geen datum bekend.")
    if booking is None:
        lines.append("- Een gesprek met een loopbaancoach. Dat plan je hier in de chat.")
    else:
        lines.append(
            f"- Een gesprek met een loopbaancoach. Je hebt al een afspraak op "
            f"{format_day(booking.starts_at)} bij {booking.coach_name}. Geef je vouchercode "
            "bij dat gesprek aan de coach."
        )
    return "\n".join(lines)


#: "hoe vraag ik die voucher aan?": how, with a button; a question issues nothing.
VOUCHER_HOW = (
    "Een voucher vraag je hier in de chat aan. Je krijgt er één per jaar, van 375 euro.\n"
    "Je gebruikt hem voor een workshop van Tap de toekomst of een gesprek met een "
    "loopbaancoach. Een cursus of opleiding betaal je er niet mee: vraag daarvoor P&O naar "
    "je loopbaanbudget.\nWil je de voucher nu? Klik dan op de knop."
)
VOUCHER_HOW_BUTTONS = ({"title": "Vraag mijn voucher aan", "payload": "/request_voucher"},)

SPENDING_BUTTONS = ({"title": "Plan een gesprek met een coach", "payload": "/request_coach"},)


def spending_buttons(booking: BookingView | None) -> list[Button]:
    """ "Plan een gesprek met een coach" only when no coach is booked yet."""
    return [dict(button) for button in SPENDING_BUTTONS] if booking is None else []


# Status in the chat only through the employee's own verified identity: a typed code is never
# looked up, so the answer for someone else's code and for an unknown code is the same.
STATUS_NEEDS_IDENTITY = (
    "Ik laat alleen je eigen voucher zien. Dan moet ik wel weten dat jij het bent.\n"
    "Open Koers via de link op het intranet van je gemeente en log daar in. "
    "Vraag het daarna hier opnieuw. Dan zie je ook je code weer.\n" + ASK_PNO
)
CODE_NOT_YOURS = "Ik zoek geen codes op die je typt. Ik laat alleen je eigen voucher zien."
NO_VOUCHER_YET = "Je hebt dit jaar nog geen voucher. Wil je er een? Typ dan: ik wil een voucher."
TOO_MANY_CODE_TRIES = (
    "Je hebt al vaak een code geprobeerd. Probeer het over een uur opnieuw. " + ASK_PNO
)


def voucher_status_text(view: VoucherView) -> str:
    code = format_code(view.code)
    if view.status == VOUCHER_ISSUED:
        return (
            f"Je voucher {code} is nog niet gebruikt. Je kunt hem gebruiken tot "
            f"{format_date(view.expires_at)}."
        )
    if view.status == VOUCHER_REDEEMED and view.redeemed_at is not None:
        where = f" bij {view.redeemed_by_name}" if view.redeemed_by_name else ""
        return f"Je voucher {code} is gebruikt op {format_day(view.redeemed_at)}{where}."
    if view.status == VOUCHER_EXPIRED:
        return (
            f"Je voucher {code} is verlopen op {format_date(view.expires_at)}. "
            "Je kunt hem niet meer gebruiken."
        )
    if view.status == VOUCHER_CANCELLED:
        return f"Je voucher {code} is ingetrokken. Vraag de afdeling P&O waarom."
    if view.status == VOUCHER_RESERVED:
        return (
            f"Je voucher {code} is gereserveerd voor een workshop waarvoor je bent "
            "ingeschreven. Zeg je die af, dan kun je hem weer gebruiken."
        )
    return f"Je voucher {code} heeft de status: {view.status}."


# --- Facts about a coach conversation (from the data) -----------------------------------


#: Who hears of a voucher, a booking or a sign-up: nobody at work.
NOBODY_IS_TOLD = (
    "Nee. Je leidinggevende krijgt geen bericht van je afspraak, je voucher of een workshop. "
    "Ik vertel het niet door, en de coach ook niet."
)


def coach_facts_text(
    facts: CoachFacts,
    topics: Sequence[str],
    email_page: str | None,
    anonymous: bool,
    proposed: tuple[SlotOffer, str | None] | None = None,
    offered: Sequence[tuple[SlotOffer, str | None]] = (),
) -> str:
    """Answers "hoe lang duurt het", "hoeveel gesprekken", "wat kost het", "hoe krijg ik de
    link" from the ledger: the slot lengths, the booking rules, the voucher value and the
    employee's own booking."""
    asked = list(topics) or [TOPIC_DURATION, TOPIC_COUNT, TOPIC_COST, TOPIC_LINK]
    lines = [NOBODY_IS_TOLD] if TOPIC_WHO_KNOWS in asked else []
    if TOPIC_DURATION in asked:
        if facts.minutes:
            lines.append(f"Een gesprek met een coach duurt {facts.minutes} minuten.")
        else:
            lines.append("Hoe lang het gesprek duurt, zie je bij de tijden die ik laat zien.")
    if TOPIC_COUNT in asked:
        lines.append(
            "Je kunt één afspraak tegelijk hebben. Na je gesprek kun je hier een nieuwe "
            "afspraak maken. Of je nog meer gesprekken nodig hebt, bespreek je met de coach."
        )
    if TOPIC_COST in asked:
        lines.extend(cost_lines(facts, anonymous))
    if TOPIC_LINK in asked:
        lines.extend(_link_lines(facts.booking, email_page))
    if TOPIC_PLACE in asked:
        lines.extend(place_lines(facts.booking, proposed, offered))
    return "\n".join(lines)


def several_coaches_then(offers: Sequence[SlotOffer]) -> str:
    """ "dinsdag 8 dec om 4 uur" fits more than one time on the list: which one."""
    names = list(dict.fromkeys(offer.coach_name for offer in offers))
    starts = {offer.starts_at for offer in offers}
    pick = "Klik of typ het nummer."
    if len(starts) == 1 and len(names) > 1:
        moment = offers[0].starts_at
        who = ", ".join(names[:-1]) + " of " + names[-1]
        when = f"{format_day(moment)} om {format_time(moment)}"
        return f"Op {when} kan het bij {who}. Bij wie wil je? {pick}"
    if len(names) == 1:
        return f"Bij {names[0]} kan het op deze tijden. Welke wil je? {pick}"
    return f"Dit past bij wat je zei. Welke tijd wil je? {pick}"


#: "is dat ver van apeldoorn?": Koers knows the address, not the employee's way there.
DISTANCE_UNKNOWN = "Hoe ver dat voor jou is, weet ik niet. Ik weet wel waar het is:"

#: "waar is dat dan?" before a time is chosen: where that is shown, and when the address comes.
PLACE_NOT_CHOSEN = (
    "Bij elke tijd staat of het gesprek online is of op locatie. Kies je een tijd op locatie? "
    "Dan noem ik het adres voordat ik iets vastzet."
)


def place_lines(
    booking: BookingView | None,
    proposed: tuple[SlotOffer, str | None] | None,
    offered: Sequence[tuple[SlotOffer, str | None]] = (),
) -> list[str]:
    """Where the conversation is: the booked one, the time Koers just proposed
    (``proposed``: the offer and its coach's location), or each of the times on the list
    (``offered``, numbered as shown)."""
    if booking is not None:
        mode, location, coach = booking.mode, booking.location, booking.coach_name
    elif proposed is not None:
        offer, location = proposed
        mode, coach = offer.mode, offer.coach_name
    elif offered:
        return offered_place_lines(offered)
    else:
        return [PLACE_NOT_CHOSEN]
    if mode == MODE_ONLINE:
        return [f"Het gesprek met {coach} is online. De coach stuurt je de link."]
    if location:
        return [f"Het gesprek met {coach} is op locatie: {location}."]
    return [f"Het gesprek met {coach} is op locatie. De coach vertelt je waar."]


def _numbers(numbers: list[int]) -> str:
    words = [str(n) for n in numbers]
    if len(words) == 1:
        return f"Tijd {words[0]}"
    return "Tijd " + ", ".join(words[:-1]) + " en " + words[-1]


def offered_place_lines(offered: Sequence[tuple[SlotOffer, str | None]]) -> list[str]:
    """ "waar is dat dan?" while choosing: per coach where the times on the list are."""
    places: dict[tuple[str, str, str | None], list[int]] = {}
    for number, (offer, location) in enumerate(offered, start=1):
        online = offer.mode == MODE_ONLINE
        key = (offer.coach_name, MODE_ONLINE if online else "locatie", None if online else location)
        places.setdefault(key, []).append(number)
    lines = []
    for (coach, mode, location), numbers in places.items():
        if mode == MODE_ONLINE:
            lines.append(f"{_numbers(numbers)}: online bij {coach}. De coach stuurt je de link.")
        elif location:
            lines.append(f"{_numbers(numbers)}: bij {coach} op locatie, in {location}.")
        else:
            lines.append(f"{_numbers(numbers)}: bij {coach} op locatie. De coach vertelt je waar.")
    return lines


def cost_lines(facts: CoachFacts, anonymous: bool) -> list[str]:
    """Who pays the coach, and whether this booking used the voucher: one answer.

    Booking here never touches the voucher (``book_slot`` knows no voucher); the coach's
    provider redeems the code (docs/provider-api.md). So the booking is "not yet" paid with
    it, and what matters is the voucher's status.
    """
    value = f" van {euros(facts.voucher_cents)}" if facts.voucher_cents else ""
    lines = [
        f"Een gesprek met een coach betaal je met de voucher{value} van je gemeente. "
        "Zelf hoef je niets bij te betalen."
    ]
    if facts.booking is not None:
        lines.append(
            f"Je afspraak op {format_day(facts.booking.starts_at)} is nog niet van je voucher "
            "afgegaan. Dat gebeurt pas als je je vouchercode aan de coach geeft."
        )
    voucher = facts.voucher
    if voucher is not None and voucher.status == VOUCHER_ISSUED:
        lines.append("Je voucher is nog niet gebruikt. Geef de code aan de coach bij je gesprek.")
    elif voucher is not None and voucher.status == VOUCHER_REDEEMED:
        lines.append(
            "Je voucher is al gebruikt. Vraag P&O hoe je dit gesprek kunt betalen, "
            "bijvoorbeeld met je loopbaanbudget."
        )
    elif voucher is not None and voucher.status == VOUCHER_RESERVED:
        lines.append(
            "Je voucher is gereserveerd voor een workshop. Vraag P&O hoe je dit gesprek "
            "kunt betalen, bijvoorbeeld met je loopbaanbudget."
        )
    elif facts.voucher_known and voucher is None:
        lines.append("Je hebt nog geen voucher. Wil je er een? Typ dan: ik wil een voucher.")
    elif anonymous:
        lines.append(
            "Of je al een voucher hebt, zie ik als je Koers opent via de link op het "
            "intranet van je gemeente."
        )
    return lines


def _link_lines(booking: BookingView | None, email_page: str | None) -> list[str]:
    if booking is None:
        return [
            "Bij een online gesprek stuurt de coach je de link per e-mail. Na het boeken kun "
            "je je e-mailadres op een aparte pagina invullen. Wil je dat niet? Dan krijg je "
            "het e-mailadres van de coach. Mail de coach dan zelf om de link."
        ]
    if booking.mode != MODE_ONLINE:
        return [f"Je afspraak is op locatie: {booking.location}. Daar heb je geen link voor."]
    lines = [
        f"De link voor je online gesprek stuurt {booking.coach_name} per e-mail.",
    ]
    if email_page:
        lines.append(
            f"Heb je nog geen e-mailadres gegeven? Dat kan nog op deze pagina: {email_page}"
        )
    lines.append(f"Of mail {booking.coach_name} zelf om de link: {booking.coach_email}.")
    return lines


# --- A lost booking code ----------------------------------------------------------------

CODE_NOT_FOUND_ANONYMOUS = (
    "Ik zie in dit gesprek geen afspraak. Je code kan ik terugvinden als ik weet dat jij het "
    "bent. Open Koers via de link op het intranet van je gemeente en log daar in. Vraag het "
    "daarna hier opnieuw: typ 'ik ben mijn boekingscode kwijt'.\n"
    "De code staat ook in het agendabestand dat je bij je afspraak kreeg. Lukt dat niet? "
    "Mail dan de coach. Die kan je afspraak ook verzetten of afzeggen."
)
CODE_NOT_FOUND_VERIFIED = (
    "Ik vind geen afspraak op jouw naam die nog moet komen. Wil je een nieuwe afspraak maken?"
)


def code_found(view: BookingView) -> str:
    return (
        f"Ik heb je afspraak gevonden: {format_moment(view.starts_at, view.ends_at)} met "
        f"{view.coach_name}.\nJe boekingscode is {format_code(view.code)}. Bewaar hem goed."
    )


#: A workshop sign-up code typed where the code of a coach conversation was asked.
SIGNUP_CODE_IN_BOOKING = (
    "Dit is de code van je inschrijving voor een workshop, niet van een gesprek met een coach. "
    "Wil je je workshop verzetten of afzeggen?"
)
