"""Koers web app (aiohttp): served by the run command on KOERS_WEB_PORT (default 8080)."""
