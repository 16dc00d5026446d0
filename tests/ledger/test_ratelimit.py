from __future__ import annotations

from bot.ledger.ratelimit import RateLimiter


async def test_bucket_allows_a_burst_then_refills() -> None:
    now = [0.0]
    limiter = RateLimiter(3, clock=lambda: now[0])
    assert [await limiter.hit("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert await limiter.hit("a") > 0
    assert await limiter.hit("b") == 0.0  # per key
    now[0] += 20.0  # 3 per minute: one token every 20 s
    assert await limiter.hit("a") == 0.0
    assert await limiter.hit("a") > 0


async def test_keys_are_bounded() -> None:
    limiter = RateLimiter(1, max_keys=2, clock=lambda: 0.0)
    for key in "abc":
        await limiter.hit(key)
    assert await limiter.hit("a") == 0.0  # "a" was evicted, so it starts with a full bucket
