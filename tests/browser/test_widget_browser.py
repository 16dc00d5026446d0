"""The chat widget in real headless Chromium, against the real Rasa server, action server and
web app (demo intranet page at /). Screenshots go to tests/artefacts/.

Scenarios: the talent scan with buttons and typed answers, reload and continue, a dropped
connection (messages typed while offline, and a reply lost on the way), HTML and script in
messages, a phone-sized screen, keyboard-only use, a refused token on another site, axe-core.
"""

from __future__ import annotations

import json
import re
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from bot.channels.widget import texts as widget_texts
from tests.browser.widget_support import WidgetStack
from tests.browser_support import ConsoleRecorder, run_axe
from tests.conversation.conftest import AUTH_TOKEN, pseudonym

pytestmark = pytest.mark.server
TIMEOUT_MS = 45_000
# what Chromium logs itself while the connection is down (not errors of the page's code)
NETWORK_ERROR = re.compile(r"WebSocket connection to .* failed|net::ERR_")
expect.set_options(timeout=TIMEOUT_MS)
SCALE = ["Klopt helemaal niet", "Klopt niet zo", "Soms", "Klopt wel", "Klopt helemaal"]


def _page(browser: Any, bypass_csp: bool) -> Iterator[Page]:
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="nl-NL", bypass_csp=bypass_csp
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    recorder = ConsoleRecorder(page)
    yield page
    context.close()
    assert [e for e in recorder.errors if not NETWORK_ERROR.search(e)] == [], recorder.errors


@pytest.fixture
def page(chromium_browser: Any, widget_stack: WidgetStack) -> Iterator[Page]:
    """A tab where run_axe can inject axe-core (it adds an inline script: CSP bypassed)."""
    yield from _page(chromium_browser, bypass_csp=True)


@pytest.fixture
def strict_page(chromium_browser: Any, widget_stack: WidgetStack) -> Iterator[Page]:
    """A tab that enforces the demo page's Content-Security-Policy (no inline script/style)."""
    yield from _page(chromium_browser, bypass_csp=False)


def open_widget(page: Page, stack: WidgetStack) -> None:
    page.goto(f"{stack.web_url}/")
    page.get_by_role("button", name="Chat met Koers").click()
    expect(page.get_by_role("dialog")).to_be_visible()
    expect(page.get_by_label("Je bericht")).to_be_focused()


def bot_bubbles(page: Page, pattern: str):
    return page.locator(".koers-msg-bot .koers-bubble", has_text=re.compile(pattern))


def user_bubbles(page: Page, text: str):
    exact = re.compile(f"^{re.escape(text)}$")
    return page.locator(".koers-msg-user .koers-bubble p", has_text=exact)


def wait_idle(page: Page) -> None:
    """The last message is acknowledged: the bot has answered completely."""
    expect(page.locator(".koers-typing")).to_be_hidden()
    page.wait_for_function(
        """() => { const k = Object.keys(sessionStorage).find(k => k.startsWith('koers-widget:'));
                   return k && JSON.parse(sessionStorage.getItem(k)).outbox.length === 0; }"""
    )


def type_message(page: Page, text: str) -> None:
    box = page.get_by_label("Je bericht")
    box.fill(text)
    box.press("Enter")


def expect_question(page: Page, number: int) -> None:
    try:
        expect(bot_bubbles(page, f"Vraag {number} van 14")).to_have_count(1)
    except AssertionError as exc:
        shown = page.locator(".koers-messages").inner_text()
        raise AssertionError(f"question {number} not shown once; the chat shows:\n{shown}") from exc


def session_id(page: Page) -> str:
    return page.evaluate(
        """() => { const k = Object.keys(sessionStorage).find(k => k.startsWith('koers-widget:'));
                   return JSON.parse(sessionStorage.getItem(k)).sessionId; }"""
    )


def tracker_events(stack: WidgetStack, conversation: str) -> list[dict]:
    url = (
        f"{stack.servers.rasa_url}/conversations/{pseudonym(conversation, 'widget')}/tracker"
        f"?token={AUTH_TOKEN}"
    )
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.load(response)["events"]


def user_texts(stack: WidgetStack, conversation: str) -> list[str]:
    return [e.get("text") for e in tracker_events(stack, conversation) if e["event"] == "user"]


def assert_no_axe_violations(page: Page, artefacts: Path, name: str) -> None:
    violations = run_axe(page)
    (artefacts / f"{name}-axe.json").write_text(json.dumps(violations, indent=2))
    assert violations == [], violations


def test_scan_with_buttons_and_typing_survives_a_reload(
    page: Page, widget_stack: WidgetStack, artefacts_dir: Path
) -> None:
    open_widget(page, widget_stack)
    page.screenshot(path=str(artefacts_dir / "widget-open.png"))
    page.get_by_role("button", name="Doe de talentscan").click()
    expect_question(page, 1)
    expect(user_bubbles(page, "Doe de talentscan")).to_have_count(1)
    expect(page.get_by_label("Je bericht")).to_be_focused()

    page.get_by_role("button", name="Klopt wel", exact=True).click()  # a button: its title shows
    expect_question(page, 2)
    expect(user_bubbles(page, "Klopt wel")).to_have_count(1)
    type_message(page, "best wel")  # typed
    expect_question(page, 3)
    wait_idle(page)
    assert_no_axe_violations(page, artefacts_dir, "widget-scan")
    page.screenshot(path=str(artefacts_dir / "widget-scan.png"))
    before = page.locator(".koers-msg").count()
    conversation = session_id(page)

    page.reload()
    expect(page.get_by_role("dialog")).to_be_visible()  # still open, same history
    expect(page.locator(".koers-msg")).to_have_count(before)
    expect_question(page, 3)
    assert session_id(page) == conversation
    expect(page.get_by_role("button", name="Soms", exact=True)).to_be_visible()
    type_message(page, "soms")
    expect_question(page, 4)

    for number in range(4, 15):
        wait_idle(page)
        page.get_by_role("button", name=SCALE[number % 5], exact=True).click()
        if number < 14:
            expect_question(page, number + 1)
    expect(bot_bubbles(page, "Je uitslag:")).to_have_count(1)
    wait_idle(page)
    for number in range(1, 15):
        expect_question(page, number)  # each question exactly once
    page.screenshot(path=str(artefacts_dir / "widget-scan-result.png"), full_page=True)
    answers = [t for t in user_texts(widget_stack, conversation)]
    assert answers[:3] == ["/start_scan", "4", "best wel"]
    assert len(answers) == 15  # start + 14 answers, nothing twice


def test_connection_drop_loses_and_duplicates_nothing(
    strict_page: Page, widget_stack: WidgetStack, artefacts_dir: Path
) -> None:
    page, proxy = strict_page, widget_stack.proxy
    open_widget(page, widget_stack)
    type_message(page, "hoi")
    expect(bot_bubbles(page, "anoniem")).not_to_have_count(0)
    wait_idle(page)
    conversation = session_id(page)

    # 1. the connection drops; the employee types on; it is sent once the connection is back
    proxy.cut()
    expect(page.locator(".koers-status")).to_contain_text("Geen verbinding")
    type_message(page, "is dit anoniem?")
    expect(page.locator(".koers-pending")).to_have_count(1)
    page.screenshot(path=str(artefacts_dir / "widget-offline.png"))
    time.sleep(1.5)
    proxy.restore()
    expect(page.locator(".koers-pending")).to_have_count(0)
    expect(page.locator(".koers-status")).to_contain_text("Verbinding hersteld")
    wait_idle(page)
    expect(user_bubbles(page, "is dit anoniem?")).to_have_count(1)

    # 2. a reply is lost on the way, then the connection drops: the reply comes again, once
    proxy.swallow_downstream = True
    page.get_by_label("Je bericht").fill("ik wil de scan doen")
    page.get_by_label("Je bericht").press("Enter")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        events = tracker_events(widget_stack, conversation)
        if any("Vraag 1 van 14" in (e.get("text") or "") for e in events if e["event"] == "bot"):
            break
        time.sleep(0.3)
    else:
        pytest.fail("the server never answered the scan request")
    expect(bot_bubbles(page, "Vraag 1 van 14")).to_have_count(0)  # really lost so far
    proxy.cut()
    time.sleep(1.0)
    proxy.restore()
    expect_question(page, 1)
    wait_idle(page)
    expect(user_bubbles(page, "ik wil de scan doen")).to_have_count(1)
    sent = ["hoi", "is dit anoniem?", "ik wil de scan doen"]
    assert user_texts(widget_stack, conversation) == sent  # each once, in order
    page.screenshot(path=str(artefacts_dir / "widget-reconnected.png"))
    # and the answer buttons still work
    page.get_by_role("button", name="Soms", exact=True).click()
    expect_question(page, 2)


HOSTILE = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>**niet vet**'


def test_html_and_script_are_shown_as_text(
    page: Page, widget_stack: WidgetStack, artefacts_dir: Path
) -> None:
    open_widget(page, widget_stack)
    type_message(page, HOSTILE)
    expect(user_bubbles(page, HOSTILE)).to_have_count(1)  # literally, markdown not applied
    wait_idle(page)
    # a bot message with markup, a javascript: link, markdown and the download card
    page.evaluate(
        """() => window.koersWidget.receive({
            text: "<b>geen html</b> <script>window.__pwned=3</script>\\n**vet** en *schuin*\\n"
                + "- een\\n- twee\\n[gevaarlijk](javascript:window.__pwned=4) "
                + "[veilig](https://voorbeeld.nl/info)",
            koers_seq: 9999, koers_epoch: "test"})"""
    )
    page.evaluate(
        """() => window.koersWidget.receive({
            text: "Je voorbereidingsblad staat klaar.",
            custom: {koers_download: {html_url: "/sheets/abc.html", pdf_url: "/sheets/abc.pdf",
                                      expires_on: "2026-11-30"}},
            koers_seq: 10000, koers_epoch: "test"})"""
    )
    widget = page.locator(".koers-widget")
    expect(widget.locator("img")).to_have_count(0)
    expect(widget.locator("script")).to_have_count(0)
    expect(widget.locator("b")).to_have_count(0)
    assert page.evaluate("() => window.__pwned") is None
    last = page.locator(".koers-msg-bot").nth(-2)
    expect(last.locator("strong")).to_have_text("vet")
    expect(last.locator("em")).to_have_text("schuin")
    expect(last.locator("li")).to_have_count(2)
    expect(last).to_contain_text("<b>geen html</b>")
    links = last.locator("a")
    expect(links).to_have_count(1)  # the javascript: link stays text
    assert links.get_attribute("href") == "https://voorbeeld.nl/info"
    assert links.get_attribute("rel") == "noopener noreferrer"
    card = page.locator(".koers-card")
    expect(card.get_by_role("heading", name="Je voorbereidingsblad")).to_be_visible()
    expect(card.locator("a")).to_have_count(2)
    hrefs = [card.locator("a").nth(i).get_attribute("href") for i in range(2)]
    assert hrefs == [f"{widget_stack.web_url}/sheets/abc.{kind}" for kind in ("html", "pdf")]
    expect(card).to_contain_text("30 november 2026")
    assert_no_axe_violations(page, artefacts_dir, "widget-rendering")
    page.screenshot(path=str(artefacts_dir / "widget-rendering.png"))
    # and the server refuses an oversized message with a clear answer
    page.evaluate("""() => window.koersWidget.send("x".repeat(2000), "(heel lang bericht)")""")
    expect(bot_bubbles(page, "Je bericht is te lang")).to_have_count(1)


def test_bare_addresses_are_links(page: Page, widget_stack: WidgetStack) -> None:
    """Walkthrough 2026-12-03 (second round): the agenda and e-mail addresses of a booking were
    plain text, broken over lines. A bare http(s) address is a link now, without the full stop
    after it; other schemes stay text."""
    open_widget(page, widget_stack)
    wait_idle(page)
    page.evaluate(
        """() => window.koersWidget.receive({
            text: "Je agenda: https://koers.test/bookings/abc.ics. En javascript:alert(1) niet.\\n"
                + "[Vul je e-mailadres in](https://koers.test/bookings/abc/email)",
            koers_seq: 9998, koers_epoch: "test"})"""
    )
    last = page.locator(".koers-msg-bot").last
    links = last.locator("a")
    expect(links).to_have_count(2)
    hrefs = [links.nth(i).get_attribute("href") for i in range(2)]
    assert hrefs == ["https://koers.test/bookings/abc.ics", "https://koers.test/bookings/abc/email"]
    expect(links.nth(1)).to_contain_text("Vul je e-mailadres in")
    expect(last).to_contain_text("javascript:alert(1) niet.")


def test_every_card_of_one_reply_keeps_its_button(
    page: Page, widget_stack: WidgetStack, artefacts_dir: Path
) -> None:
    """Walkthrough 2026-12-03: workshop sessions come one card per message, each with its own
    "Schrijf me in"; only the last card kept its button and every card read "1.". Now all
    cards of the latest reply keep their buttons and their numbers, until the employee answers."""
    open_widget(page, widget_stack)
    type_message(page, "hoi")
    wait_idle(page)
    for number in (1, 2, 3):
        page.evaluate(
            f"""() => window.koersWidget.receive({{
                text: "{number}. Workshop: **Thema {number}**\\nwoensdag 24 maart",
                buttons: [{{title: "Schrijf me in", payload: "/pick_session{number}"}}],
                koers_seq: {20000 + number}, koers_epoch: "test"}})"""
        )
    cards = page.locator(".koers-msg-bot").filter(has_text="Workshop: Thema")
    expect(cards).to_have_count(3)
    expect(page.get_by_role("button", name="Schrijf me in")).to_have_count(3)
    starts = [cards.nth(i).locator("ol").get_attribute("start") for i in range(3)]
    assert starts == [None, "2", "3"]
    assert_no_axe_violations(page, artefacts_dir, "widget-cards")
    type_message(page, "doe nummer 2 maar")
    expect(page.get_by_role("button", name="Schrijf me in")).to_have_count(0)


def test_phone_sized_screen(
    chromium_browser: Any, widget_stack: WidgetStack, artefacts_dir: Path
) -> None:
    context = chromium_browser.new_context(
        viewport={"width": 375, "height": 667},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="nl-NL",
        bypass_csp=True,
    )
    context.set_default_timeout(TIMEOUT_MS)
    try:
        page = context.new_page()
        recorder = ConsoleRecorder(page)
        page.goto(f"{widget_stack.web_url}/")
        page.screenshot(path=str(artefacts_dir / "widget-phone-closed.png"))
        page.get_by_role("button", name="Chat met Koers").tap()
        panel = page.get_by_role("dialog")
        expect(panel).to_be_visible()
        box = panel.bounding_box()
        assert box is not None and box["width"] == 375 and box["height"] >= 660
        page.get_by_role("button", name="Doe de talentscan").tap()
        expect_question(page, 1)
        page.get_by_role("button", name="Klopt helemaal", exact=True).tap()
        expect_question(page, 2)
        wait_idle(page)
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 375
        send = page.get_by_role("button", name="Verstuur").bounding_box()
        assert send is not None and send["height"] >= 44  # big enough to tap
        assert_no_axe_violations(page, artefacts_dir, "widget-phone")
        page.screenshot(path=str(artefacts_dir / "widget-phone.png"))
        assert recorder.errors == []
    finally:
        context.close()


def focused(page: Page) -> dict:
    return page.evaluate(
        """() => { const e = document.activeElement; const s = getComputedStyle(e);
                   const text = (e.innerText || e.getAttribute('aria-label') || '').trim();
                   return {tag: e.tagName, text, outline: s.outlineStyle,
                           width: s.outlineWidth, shadow: s.boxShadow}; }"""
    )


def test_keyboard_only(page: Page, widget_stack: WidgetStack, artefacts_dir: Path) -> None:
    page.goto(f"{widget_stack.web_url}/")
    for _ in range(30):  # Tab through the page until the launcher has focus
        page.keyboard.press("Tab")
        if focused(page)["text"] == "Chat met Koers":
            break
    else:
        pytest.fail("the launcher cannot be reached with Tab")
    state = focused(page)
    assert state["outline"] != "none" and state["width"] != "0px"  # visible focus
    page.keyboard.press("Enter")
    expect(page.get_by_label("Je bericht")).to_be_focused()
    page.keyboard.type("hoi")
    page.keyboard.press("Enter")
    expect(bot_bubbles(page, "anoniem")).not_to_have_count(0)
    wait_idle(page)
    page.keyboard.type("ik wil de scan doen")
    page.keyboard.press("Enter")
    expect_question(page, 1)
    wait_idle(page)
    # the answer buttons come right before the input: Shift+Tab walks back through them
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    reached = focused(page)
    assert reached["tag"] == "BUTTON" and reached["text"] in SCALE, reached
    assert reached["outline"] != "none"
    page.screenshot(path=str(artefacts_dir / "widget-keyboard-focus.png"))
    page.keyboard.press("Enter")
    expect_question(page, 2)
    expect(page.get_by_label("Je bericht")).to_be_focused()
    # the latest bot message is announced in the live region
    live = page.locator(".koers-widget [aria-live=polite]").first
    expect(live).to_contain_text("Vraag 2 van 14")
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_be_hidden()
    expect(page.get_by_role("button", name="Chat met Koers")).to_be_focused()
    assert_no_axe_violations(page, artefacts_dir, "widget-closed")


def test_refused_token_on_another_intranet_shows_a_dutch_message(
    strict_page: Page, widget_stack: WidgetStack, artefacts_dir: Path
) -> None:
    """Embedded on another site (another origin) with an expired token."""
    import jwt

    from tests.browser.widget_support import WIDGET_SECRET

    expired = jwt.encode(
        {
            "gemeente": "GM9901",
            "oid": "x",
            "aud": "koers",
            "iat": int(time.time()) - 7200,
            "exp": int(time.time()) - 3600,
        },
        WIDGET_SECRET,
        algorithm="HS256",
    )
    html = f"""<!doctype html><html lang="nl"><head><title>Intranet</title></head><body>
      <main><h1>Ander intranet</h1></main>
      <script src="{widget_stack.web_url}/widget/koers-widget.js" data-token="{expired}"
        data-socket-url="{widget_stack.proxy.url}" data-title="Koers"></script></body></html>"""
    page = strict_page
    # Chromium asks before a page reaches a loopback address of another origin (Local Network
    # Access); an intranet on the same network would be allowed by policy.
    page.context.grant_permissions(["local-network-access"])
    # another origin than the web app (localhost vs 127.0.0.1), served by the browser's router
    intranet = widget_stack.web_url.replace("127.0.0.1", "localhost") + "/ander-intranet"
    page.route(
        intranet, lambda route: route.fulfill(status=200, content_type="text/html", body=html)
    )
    page.goto(intranet)
    page.get_by_role("button", name="Chat met Koers").click()
    alert = page.get_by_role("alert")
    expect(alert).to_have_text(widget_texts.TOKEN_EXPIRED)
    expect(page.get_by_label("Je bericht")).to_be_disabled()
    page.screenshot(path=str(artefacts_dir / "widget-token-expired.png"))


def test_expired_token_on_an_open_socket_is_refreshed_by_the_page(
    strict_page: Page, widget_stack: WidgetStack
) -> None:
    """The token expires while the chat is open: the widget fires koers:token-expired, the
    page hands over a fresh token (setToken), and the identity is back in the same chat."""
    from bot.channels.widget.auth import mint_token
    from tests.browser.widget_support import WIDGET_SECRET

    subject = f"oid-refresh-{time.time_ns()}"
    # 8 s: the page must load and the socket connect before the token runs out (4 s failed
    # once on a loaded machine: the token was refused at connect instead of expiring)
    short = mint_token("GM9901", subject, WIDGET_SECRET, 8, int(time.time()))
    html = f"""<!doctype html><html lang="nl"><head><title>Intranet</title></head><body>
      <main><h1>Intranet</h1></main>
      <script src="{widget_stack.web_url}/widget/koers-widget.js" data-token="{short}"
        data-socket-url="{widget_stack.proxy.url}" data-title="Koers"></script></body></html>"""
    page = strict_page
    page.context.grant_permissions(["local-network-access"])
    intranet = widget_stack.web_url.replace("127.0.0.1", "localhost") + "/ververs-intranet"
    page.route(
        intranet, lambda route: route.fulfill(status=200, content_type="text/html", body=html)
    )
    fresh = mint_token("GM9901", subject, WIDGET_SECRET, 600, int(time.time()))
    # what an intranet's page script does (docs/widget.md); injected by Playwright (CSP)
    page.add_init_script(f"""document.addEventListener('koers:token-expired', (event) => {{
        window.koersExpired = (window.koersExpired || 0) + 1;
        event.detail.setToken({json.dumps(fresh)}); }});""")
    page.goto(intranet)
    page.get_by_role("button", name="Chat met Koers").click()
    page.wait_for_function("() => window.koersExpired >= 1", timeout=30_000)
    page.wait_for_timeout(500)  # the fresh token travels over the open socket
    type_message(page, "ik wil een voucher aanvragen")
    expect(bot_bubbles(page, "Je voucher is klaar!")).to_have_count(1)
