"""The pure activity rules: mentions, button clicks, the rule per activity type, rendering."""

from __future__ import annotations

import pytest

from bot.channels.teams.activity import (
    GREET_PAYLOAD,
    HERO_CARD,
    MAX_BUTTONS_PER_CARD,
    PAYLOAD_KEY,
    Kind,
    card_action,
    hero_cards,
    interpret,
    message_activity,
    strip_mentions,
    teams_markdown,
)
from bot.channels.teams.channel import TeamsConfig, parse_tenant_map
from bot.config import Settings

BOT = {"id": "28:bot"}


def msg(text: str | None = None, **fields: object) -> dict:
    body: dict = {"type": "message", "recipient": BOT, **fields}
    if text is not None:
        body["text"] = text
    return body


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("<at>Koers</at> hoi", "hoi"),
        ("hoi <at>Koers</at>", "hoi"),
        ('<at id="0">Koers</at>&nbsp;wat is EVC?', "wat is EVC?"),
        ("<AT>Koers Bot</AT>  ik   wil\n\n de scan", "ik wil\nde scan"),
        ("geen mention", "geen mention"),
        ("<at>Koers</at>", ""),
    ],
)
def test_mentions_are_stripped(raw: str, clean: str) -> None:
    assert strip_mentions(raw) == clean


def test_mention_text_named_in_entities_is_stripped_too() -> None:
    entities = [{"type": "mention", "text": "@Koers", "mentioned": {"id": "28:bot"}}]
    assert strip_mentions("@Koers hoi", entities) == "hoi"


def test_plain_message_goes_to_rasa() -> None:
    assert interpret(msg("hoi"), 100) == interpret(msg(" hoi "), 100)
    assert interpret(msg("hoi"), 100).kind is Kind.MESSAGE
    assert interpret(msg("hoi"), 100).text == "hoi"


def test_button_click_payload_wins_over_the_title() -> None:
    click = msg("Doe de talentscan", value={PAYLOAD_KEY: "/start_scan"})
    assert interpret(click, 100).text == "/start_scan"
    # a value that is not ours (another card) is ignored: the text counts
    assert interpret(msg("hoi", value={"other": 1}), 100).text == "hoi"


def test_html_copy_of_the_text_is_not_an_attachment() -> None:
    copy = [{"contentType": "text/html", "content": "<p>hoi</p>"}]
    assert interpret(msg("", attachments=copy), 100).kind is Kind.IGNORE
    picture = [*copy, {"contentType": "image/png", "contentUrl": "https://x/y.png"}]
    assert interpret(msg("", attachments=picture), 100).kind is Kind.ATTACHMENT_ONLY
    assert interpret(msg("kijk", attachments=picture), 100).text == "kijk"


def test_too_long_is_measured_after_stripping_mentions() -> None:
    assert interpret(msg("<at>Koers</at> " + "a" * 10), 10).kind is Kind.MESSAGE
    assert interpret(msg("a" * 11), 10).kind is Kind.TOO_LONG


@pytest.mark.parametrize(
    "activity",
    [
        {"type": "typing"},
        {"type": "invoke", "name": "adaptiveCard/action"},
        {"type": "installationUpdate", "action": "add"},
        {"type": "event", "name": "x"},
        {"type": "endOfConversation"},
        {"type": "messageUpdate", "text": "nieuw"},
        {"type": "messageDelete"},
        {"type": None},
        {},
        {"type": "conversationUpdate", "recipient": BOT, "membersAdded": [{"id": "29:u"}]},
        {"type": "conversationUpdate", "recipient": BOT, "membersRemoved": [BOT]},
    ],
)
def test_other_activities_are_ignored(activity: dict) -> None:
    assert interpret(activity, 100).kind is Kind.IGNORE


def test_bot_added_means_welcome_with_the_greet_intent() -> None:
    update = {
        "type": "conversationUpdate",
        "recipient": BOT,
        "membersAdded": [{"id": "29:u"}, {"id": "28:bot"}],
    }
    assert interpret(update, 100).kind is Kind.WELCOME
    assert interpret(update, 100).text == GREET_PAYLOAD == "/greet"


def test_markdown_gives_each_line_its_own_paragraph_but_keeps_lists() -> None:
    assert teams_markdown("Hoi!\nIk ben Koers.") == "Hoi!\n\nIk ben Koers."
    assert teams_markdown("Kies:\n- een\n- twee\nKlaar.") == "Kies:\n\n- een\n- twee\n\nKlaar."
    assert teams_markdown("a\n\nb") == "a\n\nb"


def test_buttons_become_hero_cards_of_at_most_six() -> None:
    buttons = [{"title": f"Knop {n}", "payload": f'/kies{{"n": {n}}}'} for n in range(8)]
    cards = hero_cards(buttons)
    assert [len(c["content"]["buttons"]) for c in cards] == [MAX_BUTTONS_PER_CARD, 2]
    assert all(c["contentType"] == HERO_CARD for c in cards)
    assert cards[1]["content"]["buttons"][1]["value"] == {PAYLOAD_KEY: '/kies{"n": 7}'}


def test_card_actions() -> None:
    assert card_action({"title": "Site", "type": "web_url", "url": "https://koers.nl"}) == {
        "type": "openUrl",
        "title": "Site",
        "value": "https://koers.nl",
    }
    assert card_action({"title": "ja", "payload": "ja"}) == {
        "type": "imBack",
        "title": "ja",
        "value": "ja",
    }
    assert card_action({"title": "Ja", "payload": "/affirm"})["type"] == "messageBack"


def test_message_activity() -> None:
    assert message_activity("hoi") == {"type": "message", "text": "hoi", "textFormat": "markdown"}
    with_buttons = message_activity("Kies", [{"title": "A", "payload": "/a"}])
    assert with_buttons["attachments"][0]["content"]["buttons"][0]["title"] == "A"


def test_config_from_environment_and_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = Settings(
        teams_app_id="env-app",
        teams_app_password="env-secret",
        teams_tenant_id="T-1",
        teams_tenant_municipalities=("AAA=GM0001", "bbb=GM0002"),
    )
    config = TeamsConfig.from_sources(None, settings)
    assert config.enabled and config.app_id == "env-app"
    assert config.resolved_token_endpoint.endswith("/T-1/oauth2/v2.0/token")
    assert config.openid_metadata_url.startswith("https://login.botframework.com/")
    assert config.tenant_municipalities == {"aaa": "GM0001", "bbb": "GM0002"}
    assert config.allow_insecure_service_url is False

    given = {
        "app_id": "file-app",
        "app_password": "",
        "openid_metadata_url": "http://x/meta",
        "allow_insecure_service_url": "true",
        "retry_max_attempts": 3,
    }
    config = TeamsConfig.from_sources(given, settings)
    assert (config.app_id, config.app_password) == ("file-app", "env-secret")
    assert config.openid_metadata_url == "http://x/meta"
    assert config.allow_insecure_service_url is True
    assert config.retry.max_attempts == 3

    assert not TeamsConfig.from_sources(None, Settings()).enabled
    assert TeamsConfig.from_sources(None, Settings()).resolved_token_endpoint == (
        "https://login.microsoftonline.com/botframework.com/oauth2/v2.0/token"
    )


def test_tenant_map_parsing() -> None:
    assert parse_tenant_map("A=GM1, b = GM2") == {"a": "GM1", "b": "GM2"}
    assert parse_tenant_map(None) == {}
    with pytest.raises(ValueError, match="tenant map"):
        parse_tenant_map("zonder-code")
