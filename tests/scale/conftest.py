"""Koers scaled out for the tests: 2 Rasa servers + action server behind nginx (tools.scale)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import aiohttp
import pytest

from tests.channels.teams.fake_botframework import APP_ID, APP_PASSWORD, TENANT_ID, FakeBotFramework
from tests.conversation.conftest import (
    AUTH_TOKEN,
    TEST_IDENTITY_SECRET,
    TEST_PSEUDONYM_SECRET,
    TEST_WIDGET_SECRETS,
    trained_model,
)
from tools.scale import Deployment, running_deployment


@pytest.fixture(scope="package")
def teams_fake() -> Iterator[FakeBotFramework]:
    """The fake Bot Framework both instances talk to (tests/scale/test_failover.py)."""
    from tests.channels.teams.test_teams_server import ThreadedFake

    with ThreadedFake() as fake:
        yield fake


@pytest.fixture(scope="package")
def deployment(
    tmp_path_factory: pytest.TempPathFactory, teams_fake: FakeBotFramework
) -> Iterator[Deployment]:
    model = trained_model()
    if shutil.which("nginx") is None:
        pytest.fail("nginx is not installed (apt-get install -y nginx; scripts/setup.sh does it)")
    workdir = tmp_path_factory.mktemp("scale")
    fake = teams_fake.base_url
    extra_env = {
        "KOERS_RASA_AUTH_TOKEN": AUTH_TOKEN,
        "KOERS_PSEUDONYM_SECRET": TEST_PSEUDONYM_SECRET,
        "KOERS_RETENTION_INTERVAL_MINUTES": "0",
        # the tests prove identity over REST with a widget token (metadata widget_token)
        "KOERS_REST_ENABLED": "true",
        "KOERS_IDENTITY_SECRET": TEST_IDENTITY_SECRET,
        "KOERS_WIDGET_JWT_SECRETS": ",".join(f"{k}={v}" for k, v in TEST_WIDGET_SECRETS.items()),
        # Teams through the fake Bot Framework (redelivery to the other instance)
        "KOERS_TEAMS_APP_ID": APP_ID,
        "KOERS_TEAMS_APP_PASSWORD": APP_PASSWORD,
        "KOERS_TEAMS_OPENID_METADATA_URL": f"{fake}/v1/.well-known/openidconfiguration",
        "KOERS_TEAMS_TOKEN_ENDPOINT": f"{fake}/botframework.com/oauth2/v2.0/token",
        "KOERS_TEAMS_ALLOW_INSECURE_SERVICE_URL": "true",
        "KOERS_TEAMS_TENANT_MUNICIPALITIES": f"{TENANT_ID}=GM9901",
    }
    with running_deployment(workdir, instances=2, model=model, extra_env=extra_env) as dep:
        yield dep


@pytest.fixture
async def http() -> aiohttp.ClientSession:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=180)) as session:
        yield session
