"""Run the Koers web app: ``python -m bot.web`` (host and port from the settings)."""

from aiohttp import web

from bot.config import load_settings
from bot.privacy.logging import install_log_privacy
from bot.web.app import init_app


def main() -> None:
    settings = load_settings()
    install_log_privacy()
    # No access log: its lines would hold client addresses and the sheet tokens in URLs.
    web.run_app(init_app(settings), host=settings.web_host, port=settings.web_port, access_log=None)


if __name__ == "__main__":
    main()
