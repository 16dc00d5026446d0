"""Run the Koers web app: ``python -m bot.web`` (host and port from the settings).

A module of its own, so that ``bot.web.app`` is imported once and its ``web.AppKey``s are the
same objects the views use.
"""

from aiohttp import web

from bot.config import load_settings
from bot.web.app import init_app


def main() -> None:
    settings = load_settings()
    web.run_app(init_app(settings), host=settings.web_host, port=settings.web_port)


if __name__ == "__main__":
    main()
