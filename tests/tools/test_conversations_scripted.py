"""The conversation file loader and the per-turn checks (tools/conversations/scripted.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.conversation import fallback
from bot.scan import texts as scan_texts
from tools.conversations.__main__ import main
from tools.conversations.scripted import (
    UNSET,
    ConversationFileError,
    Turn,
    check_turn,
    failed,
    format_turn,
    load,
    load_all,
    not_understood_count,
)

SCRIPTS = Path(__file__).resolve().parents[1] / "conversation" / "scripts"

GOOD = """\
conversation: coach booking
persona: buitendienst
identity: {municipality: GM9901, subject: emp-1}
turns:
  - user: "ik wil een coach"
    says: ["provincie"]
    not_says: ["begreep ik niet"]
    buttons: ["Gelderland"]
    form: coach_form
    slots: {region: null}
  - user: "/affirm"
    says_any: ["vastgezet", "geboekt"]
    form: null
"""


def write(tmp_path: Path, text: str, name: str = "x.yml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_good_file_loads(tmp_path: Path) -> None:
    conversation = load(write(tmp_path, GOOD))
    assert conversation.title == "coach booking"
    assert conversation.identity == {"municipality": "GM9901", "subject": "emp-1"}
    first, second = conversation.turns
    assert first.says == ("provincie",) and first.buttons == ("Gelderland",)
    assert first.form == "coach_form" and first.slots == {"region": None}
    assert first.needs_tracker
    assert second.form is None and second.says_any == ("vastgezet", "geboekt")
    assert Turn(number=1, user="hoi").form is UNSET and not Turn(number=1, user="hoi").needs_tracker


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("turns: []\nconversation: x\n", "'turns' must be a non-empty list"),
        ("turns:\n  - user: hoi\n", "'conversation' (a title) is missing"),
        ("conversation: x\nturns:\n  - says: [a]\n", "turn 1: 'user'"),
        (
            "conversation: x\nturns:\n  - user: a\n  - user: b\n    say: [c]\n",
            "turn 2: unknown key",
        ),
        ("conversation: x\nturns:\n  - user: a\n    says: [1]\n", "turn 1: 'says' must be a list"),
        ("conversation: x\nturns:\n  - user: a\n    form: [f]\n", "'form' must be a form name"),
        ("conversation: x\nturns:\n  - user: a\n    slots: [s]\n", "'slots' must be a mapping"),
        ("conversation: x\nidentity: {municipality: GM1}\nturns:\n  - user: a\n", "'identity'"),
        ("conversation: x\nturn:\n  - user: a\n", "unknown key(s) turn"),
        ("conversation: [x\n", "not valid YAML"),
        ("- user: a\n", "must be a mapping with 'turns:'"),
    ],
)
def test_a_malformed_file_names_file_turn_and_problem(
    tmp_path: Path, text: str, problem: str
) -> None:
    path = write(tmp_path, text, "broken.yml")
    with pytest.raises(ConversationFileError) as error:
        load(path)
    assert str(path) in str(error.value)
    assert problem in str(error.value)


def reply(text: str, *buttons: str) -> dict:
    return {"text": text, "buttons": [{"title": b, "payload": b} for b in buttons]}


TURN = Turn(
    number=3,
    user="ik wil een coach",
    says=("provincie",),
    says_any=("kies", "typ"),
    not_says=("fout",),
    buttons=("Gelderland",),
    form="coach_form",
    slots={"region": "gelderland"},
)
TRACKER = {"active_loop": {"name": "coach_form"}, "slots": {"region": "gelderland"}}


def test_a_right_reply_passes_every_check() -> None:
    checks = check_turn(TURN, [reply("In welke Provincie? Kies hieronder.", "Gelderland")], TRACKER)
    assert failed(checks) == [] and all(check.passed for check in checks)
    assert len(checks) == 7  # says, says_any, not_says, button, form, slot, the invariant


@pytest.mark.parametrize(
    ("replies", "tracker", "failing"),
    [
        ([reply("Kies een stad.", "Gelderland")], TRACKER, "says 'provincie'"),
        ([reply("provincie?", "Gelderland")], TRACKER, "says one of"),
        ([reply("provincie, kies. Fout!", "Gelderland")], TRACKER, "does not say 'fout'"),
        ([reply("provincie, kies", "Utrecht")], TRACKER, "offers button 'Gelderland'"),
        (
            [reply("provincie, kies", "Gelderland")],
            {**TRACKER, "active_loop": {}},
            "form is 'coach_form'",
        ),
        (
            [reply("provincie, kies", "Gelderland")],
            {**TRACKER, "slots": {"region": "utrecht"}},
            "slot region = 'gelderland'",
        ),
        (
            [
                reply("provincie, kies", "Gelderland"),
                reply(fallback.NOT_UNDERSTOOD),
                reply(scan_texts.NOT_UNDERSTOOD),
            ],
            TRACKER,
            "at most one 'didn't understand'",
        ),
    ],
)
def test_a_wrong_reply_fails_the_right_check(
    replies: list[dict], tracker: dict, failing: str
) -> None:
    assert [check.label for check in failed(check_turn(TURN, replies, tracker))] == [
        next(c.label for c in check_turn(TURN, replies, tracker) if c.label.startswith(failing))
    ]


def test_no_form_expected_fails_while_a_form_is_active() -> None:
    turn = Turn(number=1, user="stop", form=None)
    assert failed(check_turn(turn, [reply("Oké")], {"active_loop": {"name": "scan_form"}}))
    assert not failed(check_turn(turn, [reply("Oké")], {"active_loop": {}}))


def test_without_a_tracker_form_and_slots_are_not_checked_rather_than_passed() -> None:
    checks = check_turn(TURN, [reply("provincie, kies", "Gelderland")], None)
    unchecked = [check for check in checks if check.passed is None]
    assert [check.label for check in unchecked] == [
        "form is 'coach_form'",
        "slot region = 'gelderland'",
    ]


def test_one_didnt_understand_is_allowed_and_counted_per_message() -> None:
    assert not_understood_count([reply(fallback.NOT_UNDERSTOOD)]) == 1
    assert not_understood_count([reply("Hoi!"), reply(fallback.NOT_UNDERSTOOD_AGAIN)]) == 1
    assert (
        not_understood_count([reply(fallback.NOT_UNDERSTOOD), reply(fallback.NOT_UNDERSTOOD)]) == 2
    )
    assert not_understood_count([reply("Dat snap ik. Zullen we afspreken?")]) == 0


def test_the_transcript_marks_the_failing_turn_and_each_check() -> None:
    replies = [reply("Kies een stad.\nOf typ.", "Gelderland", "Utrecht")]
    lines = format_turn(TURN, replies, check_turn(TURN, replies, TRACKER), marked=True)
    assert lines[0] == ">>> [3] Jij: ik wil een coach"
    assert "Koers: Kies een stad." in lines and "       Of typ." in lines
    assert "       [Gelderland] [Utrecht]" in lines
    assert "       ✗ says 'provincie'" in lines
    assert "       ✓ offers button 'Gelderland'" in lines


def test_every_conversation_file_in_the_repository_loads() -> None:
    assert load_all(SCRIPTS), "no conversation files"


def test_the_printer_reports_a_malformed_file_and_exits_non_zero(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, "conversation: x\nturns:\n  - says: [a]\n")
    assert main(["print", str(path)]) == 1
    assert f"{path}, turn 1" in capsys.readouterr().out


def test_the_printer_says_when_koers_is_not_running(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, GOOD.replace("identity: {municipality: GM9901, subject: emp-1}\n", ""))
    assert main(["print", str(path), "--url", "http://127.0.0.1:9"]) == 2
    assert "is `make run` running?" in capsys.readouterr().out


def test_a_file_with_identity_needs_the_demo_token_of_the_web_app(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, GOOD)
    assert (
        main(["print", str(path), "--url", "http://127.0.0.1:9", "--web-url", "http://127.0.0.1:9"])
        == 1
    )
    assert "no demo token" in capsys.readouterr().out


def test_a_directory_needs_all(tmp_path: Path) -> None:
    write(tmp_path, GOOD)
    with pytest.raises(SystemExit):
        main(["print", str(tmp_path)])
