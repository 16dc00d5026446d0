"""bot/rasa_ext/server.py: the one entry point installs every patch before Rasa runs, whatever
channels ``credentials.yml`` names."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import aiohttp
import pytest

from bot.rasa_ext import server
from bot.rasa_ext.texts import ACTION_UNAVAILABLE
from tests.conversation.conftest import Chat, running_servers
from tools.devservices import stop_process

ROOT = Path(__file__).resolve().parents[2]
SCAN_START = "ik wil de talentscan doen"


def test_the_entry_point_installs_the_patches_then_runs_rasas_command_line() -> None:
    """``run --help`` goes all the way into Rasa's own parser (which prints the help of
    ``rasa run`` and exits 0), with every patch installed before."""
    code = (
        "from bot.rasa_ext import patches, server\n"
        "try:\n"
        "    server.main(['run', '--help'])\n"
        "except SystemExit as exc:\n"
        "    print('EXIT', exc.code, patches.is_installed())\n"
    )
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "TF_CPP_MIN_LOG_LEVEL": "3",
        "PYTHONWARNINGS": "ignore",
        "RASA_TELEMETRY_ENABLED": "false",
    }
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "--credentials" in result.stdout and "--endpoints" in result.stdout
    assert result.stdout.split()[-3:] == ["EXIT", "0", "True"]


@pytest.mark.parametrize("arguments", [[], ["train"], ["data", "validate"], ["--help"]])
def test_commands_that_load_no_model_are_refused(arguments, capsys) -> None:
    with pytest.raises(SystemExit) as refused:
        server.main(arguments)
    assert refused.value.code == 2
    assert "usage: python -m bot.rasa_ext.server {run,shell,test}" in capsys.readouterr().err


@pytest.mark.server
async def test_rasas_own_rest_channel_alone_still_gets_the_action_fallback(tmp_path) -> None:
    """A credentials file with none of Koers's channels (only Rasa's ``rest``): with the
    action server down, the employee still gets the Dutch answer of the action fallback,
    which plain ``rasa run`` would not send."""
    credentials = tmp_path / "credentials.yml"
    credentials.write_text("rest:\n")
    tracker = f"sqlite:///{tmp_path / 'tracker.db'}"
    with running_servers(tmp_path, tracker, credentials=str(credentials)) as servers:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120)) as session:
            chat = Chat(session, servers)
            assert "anoniem" in Chat.text_of(await chat.say("hoi"))
            stop_process(servers.action_process)
            replies = Chat.text_of(await chat.say(SCAN_START))
    assert replies.count(ACTION_UNAVAILABLE) == 1, replies
    assert "Vraag 1 van 14" not in replies
