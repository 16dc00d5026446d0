"""The Teams channel end to end over HTTP: fake Bot Framework → channel → bot → fake connector."""

from __future__ import annotations

import asyncio

from rasa.core.channels.channel import UserMessage

from bot.channels import identity as ids
from bot.channels.teams import texts
from bot.channels.teams.activity import HERO_CARD, PAYLOAD_KEY
from bot.privacy.pseudonym import Pseudonymizer
from tests.channels.teams.conftest import WELCOME_BUTTONS, Harness, channel_config
from tests.channels.teams.fake_botframework import APP_ID, TENANT_ID


async def test_signed_message_gets_its_reply_with_a_hero_card(harness: Harness) -> None:
    server = await harness.start()
    activity = harness.fake.activity("hoi")

    response = await server.post(activity)

    assert response.status == 200
    await server.wait_for_deliveries(1)
    [delivery] = harness.fake.deliveries
    assert delivery.conversation_id == activity["conversation"]["id"]
    reply = delivery.activity
    assert reply["type"] == "message"
    assert reply["conversation"] == {"id": activity["conversation"]["id"]}
    assert reply["recipient"] == {"id": activity["from"]["id"]}
    assert reply["from"]["id"] == f"28:{APP_ID}"
    assert reply["text"] == "Hoi! Ik ben Koers.\n\nWaar wil je mee beginnen?"
    [card] = reply["attachments"]
    assert card["contentType"] == HERO_CARD
    buttons = card["content"]["buttons"]
    assert [b["title"] for b in buttons] == [b["title"] for b in WELCOME_BUTTONS]
    assert buttons[0] == {
        "type": "messageBack",
        "title": "Doe de talentscan",
        "text": "Doe de talentscan",
        "displayText": "Doe de talentscan",
        "value": {PAYLOAD_KEY: "/start_scan"},
    }
    # the outgoing token came from the (multi-tenant) token endpoint, once
    assert [r["tenant"] for r in harness.fake.token_requests] == ["botframework.com"]


async def test_button_click_sends_the_payload_to_the_bot(harness: Harness) -> None:
    server = await harness.start()
    click = harness.fake.activity("Doe de talentscan", value={PAYLOAD_KEY: "/start_scan"})

    assert (await server.post(click)).status == 200

    assert await server.wait_for_deliveries(1) == ["Vraag 1 van 14"]
    assert [m.text for m in server.received] == ["/start_scan"]


async def test_user_id_is_pseudonymised_and_replies_still_reach_the_user(
    harness: Harness, pseudonymizer: Pseudonymizer
) -> None:
    server = await harness.start()
    activity = harness.fake.activity("hallo daar")

    await server.post(activity)

    assert await server.wait_for_deliveries(1) == ["je zei: hallo daar"]
    [message] = server.received
    aad = activity["from"]["aadObjectId"]
    # keyed by the verified activity's conversation, never by the (look-up-able) AAD id
    conversation = activity["conversation"]["id"]
    assert message.sender_id == pseudonymizer.pseudonym(f"msteams:{conversation}")
    assert message.sender_id != pseudonymizer.pseudonym(f"msteams:{aad}")
    assert aad not in message.sender_id and "29:" not in message.sender_id
    assert message.input_channel == "botframework"
    # no Teams names, AAD ids or tenant ids in what Rasa stores with the message
    assert message.metadata is None
    assert harness.fake.deliveries[0].activity["recipient"]["id"] == activity["from"]["id"]


IDENTITY_SECRET = "teams-test-identity-secret-0123456789abcdef"


async def test_mapped_tenant_gives_municipality_and_a_signed_identity(
    harness: Harness, pseudonymizer: Pseudonymizer
) -> None:
    config = channel_config(
        harness.fake.base_url,
        tenant_municipalities={TENANT_ID.upper(): "GM9901"},
        identity_secret=IDENTITY_SECRET,
    )
    server = await harness.start(config)
    activity = harness.fake.activity("hallo")
    # whatever the client puts in channelData or value, identity comes from the tenant map
    activity["channelData"]["employee_key"] = "forged"
    activity["value"] = {"municipality": "GM9902", "employee_key": "forged"}

    await server.post(activity)

    await server.wait_for_deliveries(1)
    metadata = server.received[0].metadata
    assert set(metadata) == {"municipality", ids.METADATA_IDENTITY}
    assert metadata["municipality"] == "GM9901"
    verified = ids.verify_identity(metadata[ids.METADATA_IDENTITY], IDENTITY_SECRET)
    assert verified is not None and verified.channel == "msteams"
    assert verified.municipality == "GM9901"
    # the same key the widget derives from the token's oid claim: one person, one key
    aad = activity["from"]["aadObjectId"]
    assert verified.employee_key == ids.employee_keys(aad.upper(), pseudonymizer).current
    assert aad not in str(metadata)


async def test_mentions_are_stripped(harness: Harness) -> None:
    server = await harness.start()
    activity = harness.fake.activity(
        "<at>Koers</at> ik wil de scan doen",
        entities=[
            {
                "type": "mention",
                "text": "<at>Koers</at>",
                "mentioned": {"id": f"28:{APP_ID}", "name": "Koers"},
            }
        ],
    )

    await server.post(activity)

    assert await server.wait_for_deliveries(1) == ["je zei: ik wil de scan doen"]


async def test_welcome_when_the_bot_is_added(harness: Harness) -> None:
    server = await harness.start()
    update = harness.fake.activity(
        None,
        type="conversationUpdate",
        membersAdded=[{"id": f"28:{APP_ID}"}],
    )

    assert (await server.post(update)).status == 200

    texts_out = await server.wait_for_deliveries(1)
    assert texts_out[0].startswith("Hoi! Ik ben Koers.")
    assert [m.text for m in server.received] == ["/greet"]


async def test_other_members_added_and_unknown_types_get_200_and_no_reply(
    harness: Harness,
) -> None:
    server = await harness.start()
    ignored = [
        harness.fake.activity(
            None, type="conversationUpdate", membersAdded=[{"id": "29:someone-else"}]
        ),
        harness.fake.activity(None, type="typing"),
        harness.fake.activity(None, type="messageReaction", reactionsAdded=[{"type": "like"}]),
        harness.fake.activity(None, type="installationUpdate", action="add"),
        harness.fake.activity(None, type="invoke", name="adaptiveCard/action"),
        harness.fake.activity(None, type="iets-nieuws"),
        harness.fake.activity("   "),
        harness.fake.activity("<at>Koers</at>"),
    ]
    for activity in ignored:
        response = await server.post(activity)
        assert response.status == 200, activity["type"]

    await asyncio.sleep(0.3)
    assert server.received == []
    assert harness.fake.deliveries == []


async def test_attachment_without_text_gets_a_short_dutch_answer(harness: Harness) -> None:
    server = await harness.start()
    activity = harness.fake.activity(
        "", attachments=[{"contentType": "image/png", "contentUrl": "https://x.example/a.png"}]
    )

    await server.post(activity)

    assert await server.wait_for_deliveries(1) == [texts.ATTACHMENT_ONLY]
    assert server.received == []


async def test_oversized_text_is_refused_politely(harness: Harness) -> None:
    server = await harness.start(channel_config(harness.fake.base_url, max_text_chars=50))

    await server.post(harness.fake.activity("ik " * 30))

    [answer] = await server.wait_for_deliveries(1)
    assert answer == texts.TOO_LONG.format(limit=50)
    assert server.received == []


async def test_the_same_activity_delivered_twice_is_answered_once(harness: Harness) -> None:
    server = await harness.start()
    activity = harness.fake.activity("hallo")

    await server.post(activity)
    await server.post(activity)

    assert await server.wait_for_deliveries(1) == ["je zei: hallo"]
    await asyncio.sleep(0.2)
    assert len(harness.fake.deliveries) == 1


async def test_single_tenant_registration_uses_its_own_token_endpoint(harness: Harness) -> None:
    config = channel_config(harness.fake.base_url, tenant_id=TENANT_ID, token_endpoint="")
    assert config.resolved_token_endpoint == (
        f"https://login.microsoftonline.com/{TENANT_ID}/oauth2/v2.0/token"
    )
    # same path on the fake service, to see the tenant in the request
    config = channel_config(
        harness.fake.base_url,
        tenant_id=TENANT_ID,
        token_endpoint=f"{harness.fake.base_url}/{TENANT_ID}/oauth2/v2.0/token",
    )
    server = await harness.start(config)

    await server.post(harness.fake.activity("hallo"))

    await server.wait_for_deliveries(1)
    assert [r["tenant"] for r in harness.fake.token_requests] == [TENANT_ID]


async def test_outgoing_token_is_cached(harness: Harness) -> None:
    server = await harness.start()
    for word in ("een", "twee", "drie"):
        await server.post(harness.fake.activity(word))
    await server.wait_for_deliveries(3)
    assert len(harness.fake.token_requests) == 1
    assert len({d.token for d in harness.fake.deliveries}) == 1


async def test_health_and_disabled_channel(harness: Harness) -> None:
    server = await harness.start(channel_config(harness.fake.base_url, app_id=""))
    async with server.session.get(f"{server.url}/webhooks/botframework/") as response:
        assert response.status == 200
        assert (await response.json())["status"] == "off"
    response = await server.post(harness.fake.activity("hoi"))
    assert response.status == 503
    assert server.received == []


async def test_http_service_url_refused_unless_allowed(harness: Harness) -> None:
    server = await harness.start(
        channel_config(harness.fake.base_url, allow_insecure_service_url=False)
    )
    response = await server.post(harness.fake.activity("hoi"))
    assert response.status == 400
    assert server.received == []


async def test_images_elements_attachments_and_custom_json(harness: Harness) -> None:
    async def rich_bot(message: UserMessage) -> None:
        out = message.output_channel
        assert out is not None
        await out.send_response(message.sender_id, {"image": "https://koers.example.nl/k.png"})
        await out.send_response(
            message.sender_id,
            {
                "elements": [
                    {
                        "title": "Workshop",
                        "subtitle": "Talenten",
                        "image_url": "https://x.nl/w.png",
                        "buttons": [{"title": "Meer", "payload": "/workshops"}],
                    }
                ]
            },
        )
        await out.send_response(message.sender_id, {"attachment": "https://x.nl/blad.pdf"})
        await out.send_response(message.sender_id, {"custom": {"text": "eigen", "summary": "s"}})

    server = await harness.start(responder=rich_bot)
    await server.post(harness.fake.activity("laat zien"))
    await server.wait_for_deliveries(4)
    image, element, attachment, custom = (d.activity for d in harness.fake.deliveries)
    assert image["attachments"][0]["content"]["images"] == [
        {"url": "https://koers.example.nl/k.png"}
    ]
    content = element["attachments"][0]["content"]
    assert (content["title"], content["buttons"][0]["value"]) == (
        "Workshop",
        {PAYLOAD_KEY: "/workshops"},
    )
    assert attachment["text"] == "https://x.nl/blad.pdf"
    assert (custom["type"], custom["text"], custom["summary"]) == ("message", "eigen", "s")
    assert custom["recipient"]["id"] == harness.fake.activity()["from"]["id"]


async def test_a_failing_bot_still_answers_in_dutch(harness: Harness) -> None:
    from bot.rasa_ext.texts import SERVICE_UNAVAILABLE

    async def broken_bot(message: UserMessage) -> None:
        raise ConnectionError("action server down")

    server = await harness.start(responder=broken_bot)
    await server.post(harness.fake.activity("hoi"))
    assert await server.wait_for_deliveries(1) == [SERVICE_UNAVAILABLE]


def test_teams_on_without_an_identity_secret_refuses_to_start(monkeypatch) -> None:
    import pytest

    from bot.channels.teams.channel import TeamsInput

    monkeypatch.setenv("KOERS_TEAMS_APP_ID", APP_ID)
    monkeypatch.setenv("KOERS_TEAMS_APP_PASSWORD", "x" * 20)
    monkeypatch.setenv("KOERS_IDENTITY_SECRET", "")
    with pytest.raises(ids.IdentityConfigError):
        TeamsInput.from_credentials(None)
