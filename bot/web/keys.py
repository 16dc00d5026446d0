"""Every ``web.AppKey`` of the web app, in one leaf module.

The app factory, the database context, the housekeeping runner and the routes all import
their keys from here, and this module imports nothing of ``bot.web``: so no module needs
to import another inside a function to dodge a cycle, and each key exists exactly once.
"""

from __future__ import annotations

from aiohttp import web
from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker

from bot.config import Settings
from bot.ledger.ratelimit import RateLimiter
from bot.trends.dashboard import LoginThrottle

SETTINGS_KEY: web.AppKey[Settings] = web.AppKey("settings", Settings)

#: One engine and one session factory for the app's database (ledger, sheets, dashboard).
ENGINE_KEY: web.AppKey[Engine] = web.AppKey("engine", Engine)
SESSIONS_KEY: web.AppKey[sessionmaker] = web.AppKey("sessions", sessionmaker)

#: The provider API's rate limiter (in Redis when configured, see bot/shared_state.py).
RATE_LIMITER_KEY: web.AppKey[RateLimiter] = web.AppKey("provider_rate_limiter", RateLimiter)

#: The dashboard's bound on argon2 work, and the HMAC key of its login counters.
DASHBOARD_THROTTLE_KEY: web.AppKey[LoginThrottle] = web.AppKey("dashboard_throttle", LoginThrottle)
DASHBOARD_THROTTLE_SECRET_KEY: web.AppKey[bytes] = web.AppKey("dashboard_throttle_secret", bytes)
