"""The preparation sheet: built from the answers, rendered as PDF and as a web page
(the page's template is ``bot/web/templates/sheet.html``, filled by ``bot/web/routes/sheets.py``).

No name is ever on it. Answers arrive scrubbed; a removed name shows as "(naam weggelaten)".

Shortening rule (documented in the README): each answer is at most ``MAX_FIELD_CHARS`` (300)
characters on the sheet, cut at the last whole word and ended with "…"; a list shows at most
``MAX_ITEMS`` (5) items. The whole sheet then fits on one A4 page.
"""

from __future__ import annotations

import html
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from bot.preparation.answers import without_filler
from bot.preparation.practice import Reaction
from bot.preparation.questions import KINDS, SKIPPED

MAX_FIELD_CHARS = 300
DEFAULT_PARTY = "leidinggevende"
MAX_ITEMS = 5
ELLIPSIS = "…"
_PLACEHOLDER_RE = re.compile(
    r"\[(NAAM|EMAIL|TELEFOON|BSN|IBAN|POSTCODE|ADRES|GEBOORTEDATUM|PERSONEELSNUMMER|URL|IP|"
    r"VERWIJDERD|AFGEKAPT|TEKST)\]"
)
_PLACEHOLDER_WORDS = {
    "NAAM": "naam",
    "EMAIL": "e-mailadres",
    "TELEFOON": "telefoonnummer",
    "BSN": "BSN",
    "IBAN": "rekeningnummer",
    "POSTCODE": "postcode",
    "ADRES": "adres",
    "GEBOORTEDATUM": "geboortedatum",
    "PERSONEELSNUMMER": "personeelsnummer",
    "URL": "link",
    "IP": "IP-adres",
    "VERWIJDERD": "tekst",
    "AFGEKAPT": "rest van de tekst",
    "TEKST": "tekst",
}


def shorten(text: str | None, limit: int = MAX_FIELD_CHARS) -> str:
    """``text`` on one line of at most ``limit`` characters, cut at a whole word with "…"."""
    clean = re.sub(r"\s+", " ", text or "").strip()
    if len(clean) <= limit:
        return clean
    cut = clean[: limit - len(ELLIPSIS)]
    if " " in cut:
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip(" ,;:.-") + ELLIPSIS


def readable_placeholders(text: str) -> str:
    """Turns scrubber placeholders ("[NAAM]") into words on the sheet ("(naam weggelaten)")."""
    return _PLACEHOLDER_RE.sub(lambda m: f"({_PLACEHOLDER_WORDS[m.group(1)]} weggelaten)", text)


def _answer(value: object) -> str | None:
    if value is None or value == SKIPPED:
        return None
    if isinstance(value, list | tuple):
        value = ", ".join(str(item) for item in value if item)
    text = shorten(readable_placeholders(without_filler(str(value))))
    return text or None


#: A part after a comma that goes on with the part before it ("..., ook als ze boos zijn").
_GOES_ON_RE = re.compile(
    r"^(?:ook\s+als|zelfs\s+als|als|omdat|want|maar|zodat|dus|die|dat|waardoor|waarbij|"
    r"vooral|bijvoorbeeld|bv|zoals|in|op|aan|bij|met|voor|van|naar|uit)\b",
    re.IGNORECASE,
)
#: Words in front of a strength that only announce it ("ik denk dat ik goed ben met").
_STRENGTH_LEAD_RE = re.compile(
    r"^(?:(?:en|ook|verder|eigenlijk|nou)\s+)*(?:ik\s+denk\s+(?:dat\s+)?)?", re.IGNORECASE
)
_I_AM_GOOD_RE = re.compile(
    r"^ik\s+(?:ben\s+)?(?:heel\s+|erg\s+|best\s+)?goed(?:\s+ben\b)?\s*", re.I
)


def strength_parts(text: str) -> list[str]:
    """Strengths typed as text, split where the employee meant a new one.

    Sentences first, then commas and "en", but a part that goes on with the one before it
    ("ook als ze boos zijn", "in de backoffice") stays with it: walkthrough 2026-12-03b cut
    "goed met mensen aan de balie, ook als ze boos zijn. nauwkeurig" in the wrong places.
    """
    parts: list[str] = []
    for sentence in re.split(r"(?<=[.!?;])\s+|\n+", without_filler(text)):
        pieces = [p for p in re.split(r"\s*,\s*|\s+en\s+", sentence.strip(" .!?;")) if p]
        merged: list[str] = []
        for piece in pieces:
            if merged and _GOES_ON_RE.match(piece):
                merged[-1] = f"{merged[-1]}, {piece}"
            else:
                merged.append(piece)
        for piece in merged:
            tidy = _STRENGTH_LEAD_RE.sub("", piece.strip(), count=1)
            tidy = _I_AM_GOOD_RE.sub("goed ", tidy, count=1).strip(" ,.")
            if tidy:
                parts.append(tidy)
    return parts


def _items(values: Sequence[object] | object | None) -> list[str]:
    if values is None or values == SKIPPED:
        return []
    if isinstance(values, str):
        values = strength_parts(values)
    if not isinstance(values, list | tuple):
        return []
    items = [shorten(readable_placeholders(str(v)), 120) for v in values]
    return [item for item in items if item][:MAX_ITEMS]


@dataclass(frozen=True)
class PracticedReaction:
    manager_says: str
    strong_answer: str
    my_answer: str | None = None


@dataclass(frozen=True)
class Sheet:
    """Everything on the sheet, already shortened and free of names."""

    kind: str | None
    when: str | None
    goal: str | None
    opening: str
    strengths: list[str]
    wants: str | None
    proposal: str
    asks: list[str]
    worry: str | None
    reactions: list[PracticedReaction]
    next_steps: list[str]
    made_on: date = field(default_factory=date.today)
    #: Who the conversation is with, as the employee said it ("P&O-adviseur").
    party: str = "leidinggevende"
    #: Opportunities the employee saved in the chat ("meelopen bij ..."), issue 17.
    tries: list[str] = field(default_factory=list)

    def texts(self) -> list[str]:
        """Every text on the sheet, for tests and for the readability check."""
        out = [self.opening, self.proposal, *self.strengths, *self.asks, *self.next_steps]
        out += [try_text(item) for item in self.tries]
        out += [t for t in (self.kind, self.when, self.goal, self.wants, self.worry) if t]
        for reaction in self.reactions:
            out += [reaction.manager_says, reaction.strong_answer]
            if reaction.my_answer:
                out.append(reaction.my_answer)
        return out


#: "minder zaken voor een tijdje", "het wordt me te veel": a talk about workload, not growth
#: (walkthrough 2026-12-04b: the sheet said "ik wil graag blijven groeien").
_WORKLOAD = re.compile(
    r"\b(?:werkdruk|te\s+veel|teveel|minder\s+(?:werk|zaken|uren|caseload|taken|druk)|caseload|"
    r"overbelast\w*|niet\s+meer\s+aan|zwaar|moe\b|rust)\b",
    re.IGNORECASE,
)


def about_workload(*answers: str | None) -> bool:
    return any(_WORKLOAD.search(answer or "") for answer in answers)


def opening_sentence(kind: str | None, wants: str | None, workload: bool = False) -> str:
    """A first sentence that makes clear the employee wants to grow here, not leave."""
    if workload:
        return (
            "Ik wil graag met je praten over mijn werkdruk. Het is me op dit moment te veel. "
            "Ik wil samen kijken wat er kan."
        )
    if kind == "reorganisatie":
        return (
            "Ik wil graag met je praten over wat de reorganisatie voor mij betekent. "
            "Ik wil me goed voorbereiden en wil graag bij de gemeente blijven werken."
        )
    start = "Ik werk hier met plezier en wil graag blijven groeien."
    if wants:
        return f"{start} Daarom wil ik met je praten over wat ik wil leren."
    return f"{start} Daarom wil ik met je praten over mijn ontwikkeling."


_I_WANT_RE = re.compile(
    r"^(?:ik\s+(?:wil|zou)\s+(?:graag\s+|eigenlijk\s+|heel\s+graag\s+)*(?:willen\s+)?)",
    re.IGNORECASE,
)


def _first_sentence(text: str) -> str:
    return re.split(r"(?<=[.!?])\s+", text.strip(), maxsplit=1)[0].strip(" .!?")


def proposal_text(wants: str | None, asks: list[str]) -> str:
    """A concrete, small proposal: what the employee wants in one short sentence, and asks.

    Not the whole answer again: "Ik wil graag aan de slag met: Ik wil graag een cursus ..."
    repeated the section above it (walkthrough 2026-12-03b).
    """
    parts = []
    if wants:
        first = _first_sentence(wants)
        rest = _I_WANT_RE.sub("", first, count=1).strip()
        if rest and rest != first:
            parts.append(f"Ik wil graag {rest}.")
        elif first:
            parts.append(f"Ik wil graag aan de slag met {first[:1].lower()}{first[1:]}.")
    if asks:
        listed = [ask[:1].lower() + ask[1:] for ask in asks[:3]]
        joined = listed[0] if len(listed) == 1 else ", ".join(listed[:-1]) + " en " + listed[-1]
        parts.append(f"Daarvoor vraag ik: {joined}.")
    parts.append("Over drie maanden kijken we samen hoe het gaat.")
    return " ".join(parts)


NEXT_STEPS = (
    "Plan het gesprek in en neem dit blad mee.",
    "Zet de afspraken daarna in je ontwikkelplan (POP).",
    "Vraag een voucher van 375 euro aan voor een workshop of een loopbaangesprek.",
    "Spreek af wanneer jullie weer praten.",
)
#: With the date on the sheet the meeting is planned already.
TAKE_ALONG = "Neem dit blad mee naar het gesprek op {when}."


#: Growth steps that do not fit a talk about workload or a reorganisation.
_GROWTH_STEPS = frozenset({NEXT_STEPS[1], NEXT_STEPS[2]})


def next_steps(when: str | None, growth: bool = True) -> list[str]:
    """The next steps; "Plan het gesprek in" only when no date was given; the POP and the
    voucher only for a talk about growing."""
    steps = [step for step in NEXT_STEPS if growth or step not in _GROWTH_STEPS]
    if when:
        steps[0] = TAKE_ALONG.format(when=when)
    return steps


def build_sheet(
    answers: dict[str, object],
    reactions: Sequence[Reaction],
    practice_answers: Sequence[str | None] = (),
    today: date | None = None,
    include_private: bool = False,
    party: str | None = None,
    tries: Sequence[str] = (),
) -> Sheet:
    """The sheet from the (scrubbed) answers in the ``prep_*`` slots and the practice.

    The worry and the practice are private: they are left off (and not stored) unless the
    employee chose to include them. The practised reactions go too: they were picked for the
    worry ("Je wilt zeker weg, hè?" tells the manager what the employee fears; walkthrough
    2026-12-04).
    """
    kind_key = answers.get("prep_kind")
    kind = KINDS.get(kind_key) if isinstance(kind_key, str) else None
    wants = _answer(answers.get("prep_develop"))
    asks = _items(answers.get("prep_ask"))
    practiced = (
        [
            PracticedReaction(
                reaction.manager_says,
                reaction.strong_answer,
                _answer(practice_answers[index])
                if include_private and index < len(practice_answers)
                else None,
            )
            for index, reaction in enumerate(reactions)
        ]
        if include_private
        else []
    )
    when = _answer(answers.get("prep_when"))
    goal = _answer(answers.get("prep_goal"))
    workload = about_workload(goal, wants, *asks)
    growth = not workload and kind_key != "reorganisatie"
    return Sheet(
        kind=kind,
        when=when,
        goal=goal,
        opening=opening_sentence(kind_key if isinstance(kind_key, str) else None, wants, workload),
        strengths=_items(answers.get("prep_strengths")),
        wants=wants,
        proposal=proposal_text(wants, asks),
        asks=asks,
        worry=_answer(answers.get("prep_worry")) if include_private else None,
        reactions=practiced,
        next_steps=next_steps(when, growth),
        made_on=today or date.today(),
        party=party or DEFAULT_PARTY,
        tries=[shorten(str(item), 160) for item in tries if item][:MAX_TRIES],
    )


# -- serialisation (the sheet is stored as JSON while its link lives)


def sheet_to_dict(sheet: Sheet) -> dict[str, object]:
    return {
        "kind": sheet.kind,
        "when": sheet.when,
        "goal": sheet.goal,
        "opening": sheet.opening,
        "strengths": sheet.strengths,
        "wants": sheet.wants,
        "proposal": sheet.proposal,
        "asks": sheet.asks,
        "worry": sheet.worry,
        "next_steps": sheet.next_steps,
        "made_on": sheet.made_on.isoformat(),
        "party": sheet.party,
        "tries": sheet.tries,
        "reactions": [
            {
                "manager_says": r.manager_says,
                "strong_answer": r.strong_answer,
                "my_answer": r.my_answer,
            }
            for r in sheet.reactions
        ],
    }


def sheet_from_dict(data: dict[str, object]) -> Sheet:
    raw_reactions = data.get("reactions")
    listed = raw_reactions if isinstance(raw_reactions, list) else []
    reactions = [PracticedReaction(**r) for r in listed if isinstance(r, dict)]
    return Sheet(
        kind=data.get("kind"),  # type: ignore[arg-type]
        when=data.get("when"),  # type: ignore[arg-type]
        goal=data.get("goal"),  # type: ignore[arg-type]
        opening=str(data.get("opening") or ""),
        strengths=list(data.get("strengths") or []),  # type: ignore[call-overload]
        wants=data.get("wants"),  # type: ignore[arg-type]
        proposal=str(data.get("proposal") or ""),
        asks=list(data.get("asks") or []),  # type: ignore[call-overload]
        worry=data.get("worry"),  # type: ignore[arg-type]
        reactions=reactions,
        next_steps=list(data.get("next_steps") or []),  # type: ignore[call-overload]
        made_on=date.fromisoformat(str(data.get("made_on"))),
        party=str(data.get("party") or DEFAULT_PARTY),
        tries=[str(item) for item in data.get("tries") or []],  # type: ignore[attr-defined]
    )


# -- rendering

TITLE = "Mijn voorbereiding op het gesprek"
EMPTY = "Nog niet ingevuld."
SAYS, STRONG, MINE = "Mijn leidinggevende zegt", "Sterk antwoord", "Mijn eigen antwoord"


def says_label(party: str) -> str:
    """ "Mijn leidinggevende zegt", "Mijn P&O-adviseur zegt": the other party as named."""
    return f"Mijn {party} zegt"


CALM_TIP = "Blijf rustig. Je mag even nadenken voor je antwoordt."
#: Koers's example answers, not the employee's own (those show only when they chose so).
REACTIONS_HEADING = "Mogelijke reacties en voorbeeldantwoorden"


def sections(sheet: Sheet) -> list[tuple[str, list[str]]]:
    """The sheet's sections in order: (heading, paragraphs or list items)."""
    reactions = []
    for r in sheet.reactions:
        line = f"{says_label(sheet.party)}: '{r.manager_says}'\n{STRONG}: {r.strong_answer}"
        if r.my_answer:
            line += f"\n{MINE}: {r.my_answer}"
        reactions.append(line)
    return [
        ("Mijn doel", [sheet.goal or EMPTY]),
        ("Zo begin ik het gesprek", [sheet.opening]),
        ("Mijn sterke punten", sheet.strengths or [EMPTY]),
        ("Wat ik wil leren of proberen", wants_items(sheet)),
        ("Mijn voorstel", [sheet.proposal]),
        ("Wat ik vraag", sheet.asks or [EMPTY]),
        *([(REACTIONS_HEADING, reactions)] if reactions else []),
        ("Waar ik op let", [sheet.worry or CALM_TIP]),
        ("Volgende stappen", sheet.next_steps),
    ]


#: At most this many saved opportunities on the sheet (the chat keeps the same limit).
MAX_TRIES = 3
TRY_PREFIX = "Wat ik wil proberen: "


def try_text(item: str) -> str:
    return f"{TRY_PREFIX}{item}"


def wants_items(sheet: Sheet) -> list[str]:
    """What the employee wants to learn, then each saved opportunity as "Wat ik wil proberen"."""
    tried = [try_text(item) for item in sheet.tries]
    if sheet.wants:
        return [sheet.wants, *tried]
    return tried or [EMPTY]


def meta_line(sheet: Sheet) -> str:
    parts = [sheet.kind or "Gesprek", f"Met mijn {sheet.party}"]
    if sheet.when:
        parts.append(f"Wanneer: {sheet.when}")
    parts.append(f"Gemaakt op {sheet.made_on.strftime('%d-%m-%Y')}")
    return " · ".join(parts)


def labelled_lines(item: str) -> list[tuple[str | None, str]]:
    """The lines of ``item`` as (reaction label or None, rest): the label is shown in bold."""
    lines: list[tuple[str | None, str]] = []
    for line in item.split("\n"):
        label, sep, rest = line.partition(": ")
        is_label = label in {STRONG, MINE} or bool(re.fullmatch(r"Mijn [\w&-]+ zegt", label))
        lines.append((label, rest) if sep and is_label else (None, line))
    return lines


def _pdf_markup(item: str) -> str:
    """Escapes ``item`` for ReportLab's markup, reaction labels in bold."""
    return "<br/>".join(
        f"<b>{html.escape(label)}:</b> {html.escape(rest)}" if label else html.escape(rest)
        for label, rest in labelled_lines(item)
    )


LISTED_SECTIONS = {"Mijn sterke punten", "Wat ik vraag", "Volgende stappen"}


@dataclass(frozen=True)
class PageSection:
    """One section of the sheet's web page; the template (bot/web/templates/sheet.html)
    escapes every text."""

    heading: str
    as_list: bool
    items: list[list[tuple[str | None, str]]]


def page_sections(sheet: Sheet) -> list[PageSection]:
    """The sections as the web page shows them: several items (or a list section) as a list."""
    return [
        PageSection(
            heading,
            len(items) > 1 or heading in LISTED_SECTIONS,
            [labelled_lines(item) for item in items],
        )
        for heading, items in sections(sheet)
    ]


def page_note(expires_on: date | None = None, party: str = DEFAULT_PARTY) -> str:
    note = f"Er staat geen naam op dit blad. Je {party} ziet het gesprek met Koers niet."
    if expires_on:
        note += f" Deze link werkt tot {expires_on.strftime('%d-%m-%Y')}."
    return note


def render_pdf(sheet: Sheet) -> bytes:
    """The same content as a one-page A4 PDF (ReportLab; text escaped for its markup)."""
    # Imported here on purpose: ReportLab takes ~0.6 s to import and only the web app's PDF
    # download needs it; the action server builds sheets without it.
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import ListFlowable, ListItem, Paragraph, SimpleDocTemplate, Spacer

    base = getSampleStyleSheet()
    blue = colors.HexColor("#154273")
    title = ParagraphStyle(
        "koers-title", parent=base["Title"], fontSize=16, textColor=blue, alignment=0, spaceAfter=2
    )
    heading = ParagraphStyle(
        "koers-h2",
        parent=base["Heading2"],
        fontSize=11,
        textColor=blue,
        spaceBefore=6,
        spaceAfter=2,
    )
    normal = ParagraphStyle("koers-body", parent=base["BodyText"], fontSize=9.5, leading=12.5)
    meta = ParagraphStyle("koers-meta", parent=normal, textColor=colors.HexColor("#4a4a4a"))
    esc = html.escape
    story: list[object] = [Paragraph(esc(TITLE), title), Paragraph(esc(meta_line(sheet)), meta)]
    for head, items in sections(sheet):
        story.append(Paragraph(esc(head), heading))
        if len(items) > 1:
            story.append(
                ListFlowable(
                    [
                        ListItem(Paragraph(_pdf_markup(item), normal), leftIndent=10)
                        for item in items
                    ],
                    bulletType="bullet",
                    start="•",
                    leftIndent=10,
                )
            )
        else:
            story.extend(Paragraph(esc(item), normal) for item in items)
    story += [Spacer(1, 4 * mm), Paragraph(esc("Er staat geen naam op dit blad."), meta)]
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=16 * mm,
        rightMargin=16 * mm,
        topMargin=14 * mm,
        bottomMargin=14 * mm,
        title=TITLE,
        author="Koers",
        subject="Voorbereiding gesprek",
    )
    document.build(story)
    return buffer.getvalue()
