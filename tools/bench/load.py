"""Simulated employees talking to a Rasa server over the REST webhook.

Each employee has a unique sender id and an employee key, waits a think time between
messages and follows a scripted Dutch conversation through the scan, a voucher and a booking.
"""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from dataclasses import dataclass, field

import aiohttp

from bot.channels.widget.auth import mint_token

MUNICIPALITY = "GM9901"
#: widget token secret of the bench deployment: simulated employees prove identity over REST
WIDGET_SECRET = "koers-bench-widget-secret-GM9901-0123456789abcdef"
VOUCHER = "ik wil een voucher aanvragen"
SCRIPT: tuple[str, ...] = (
    "hoi",
    "ik wil de talentscan doen",
    "4",
    "best wel",
    "soms",
    "2",
    "wat is EVC?",
    "stop",
    VOUCHER,
    "ik wil graag een gesprek met een loopbaancoach",
    "Gelderland",
    "online",
    "maakt niet uit",
    "1",
    "nee",
)
PARSE_TEXTS: tuple[str, ...] = (
    "hoi",
    "ik wil de scan doen",
    "wat is EVC?",
    "mag ik dit in werktijd doen?",
    "ik wil een voucher",
    "ik wil een gesprek met een loopbaancoach in Gelderland",
    "ik durf het niet aan mijn baas te vragen",
    "best wel",
    "wie kan dit lezen?",
    "ik ben bang dat mijn functie verdwijnt",
)


@dataclass
class LoadResult:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    elapsed: float = 0.0

    @property
    def messages_per_second(self) -> float:
        return len(self.latencies) / self.elapsed if self.elapsed else 0.0


async def _send(session: aiohttp.ClientSession, url: str, body: dict, result: LoadResult) -> None:
    started = time.perf_counter()
    try:
        async with session.post(url, json=body) as response:
            await response.read()
            ok = response.status == 200
    except (aiohttp.ClientError, asyncio.TimeoutError):
        ok = False
    if ok:
        result.latencies.append(time.perf_counter() - started)
    else:
        result.errors += 1


async def employee(
    session: aiohttp.ClientSession,
    url: str,
    result: LoadResult,
    think: tuple[float, float],
    rng: random.Random,
    deadline: float | None = None,
) -> None:
    """One employee: the script once, or over and over until ``deadline`` (monotonic)."""
    while True:
        sender = f"bench-{uuid.uuid4().hex}"
        token = mint_token(MUNICIPALITY, uuid.uuid4().hex, WIDGET_SECRET, 3600, int(time.time()))
        metadata = {"widget_token": token}
        for text in SCRIPT:
            body = {"sender": sender, "message": text, "metadata": metadata}
            await _send(session, url, body, result)
            if deadline is not None and time.monotonic() >= deadline:
                return
            if think[1] > 0:
                await asyncio.sleep(rng.uniform(*think))
        if deadline is None:
            return


async def run_load(
    base_url: str,
    concurrent: int,
    think: tuple[float, float],
    seed: int = 8,
    duration: float | None = None,
) -> LoadResult:
    """``concurrent`` employees at once, started within one think time of each other."""
    url = f"{base_url}/webhooks/rest/webhook"
    rng = random.Random(seed)
    result = LoadResult()
    connector = aiohttp.TCPConnector(limit=concurrent + 5)
    timeout = aiohttp.ClientTimeout(total=300)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        started = time.monotonic()
        deadline = started + duration if duration else None

        async def staggered(index: int) -> None:
            await asyncio.sleep(rng.uniform(0, max(think[1], 0.05)) if index else 0)
            await employee(session, url, result, think, random.Random(seed + index), deadline)

        await asyncio.gather(*(staggered(i) for i in range(concurrent)))
        result.elapsed = time.monotonic() - started
    return result


async def parse_latencies(base_url: str, token: str, rounds: int) -> list[float]:
    """Sequential /model/parse calls with Dutch texts."""
    latencies: list[float] = []
    async with aiohttp.ClientSession() as session:
        for index in range(rounds):
            text = PARSE_TEXTS[index % len(PARSE_TEXTS)]
            started = time.perf_counter()
            async with session.post(
                f"{base_url}/model/parse?token={token}", json={"text": text}
            ) as response:
                await response.read()
                if response.status == 200:
                    latencies.append(time.perf_counter() - started)
    return latencies
