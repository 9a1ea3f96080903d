"""Fixtures shared by every app's tests: one user per role, two teams, API clients."""

import gc
import os
from collections.abc import Callable, Iterator

import pytest
from rest_framework.test import APIClient

from apps.accounts.choices import Role
from apps.accounts.models import Team, User
from apps.accounts.services.api_token import api_token_issue
from apps.accounts.tests.factories import TeamFactory, TeamMembershipFactory, UserFactory


@pytest.fixture
def team_a(db: None) -> Team:
    return TeamFactory(name="search", cost_center="CC-100")


@pytest.fixture
def team_b(db: None) -> Team:
    return TeamFactory(name="assistant", cost_center="CC-200")


@pytest.fixture
def admin_user(db: None) -> User:
    return UserFactory(username="ada", role=Role.ADMIN, is_staff=True)


@pytest.fixture
def finance_user(db: None) -> User:
    return UserFactory(username="fin", role=Role.FINANCE)


@pytest.fixture
def sre_user(db: None) -> User:
    return UserFactory(username="sam", role=Role.SRE)


@pytest.fixture
def owner_user(team_a: Team) -> User:
    """An endpoint owner in team_a only."""
    user = UserFactory(username="olive", role=Role.OWNER)
    TeamMembershipFactory(team=team_a, user=user)
    return user


@pytest.fixture
def owner_b_user(team_b: Team) -> User:
    user = UserFactory(username="otto", role=Role.OWNER)
    TeamMembershipFactory(team=team_b, user=user)
    return user


@pytest.fixture(autouse=True)
def _partitions_checked_afresh() -> None:
    """Ingest trusts, for a minute, the partitions it saw committed in this process; a test may
    drop one (inside its transaction), so no test inherits an earlier test's memory of it."""
    from apps.telemetry.services.partitions import KNOWN_PARTITIONS

    KNOWN_PARTITIONS.clear()


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def client_for() -> Callable[..., APIClient]:
    """``client_for(user)``: session client; with ``scopes=[…]`` (and ``team=``): token client."""

    def make(user: User, scopes: list[str] | None = None, team: Team | None = None) -> APIClient:
        client = APIClient()
        if scopes is None:
            client.force_login(user)
        else:
            _, secret = api_token_issue(user=user, scopes=scopes, team=team)
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
        return client

    return make


@pytest.fixture
def worker_app() -> Iterator[object]:
    """The Celery app with its queues emptied, for tests that start a real worker.

    Other tests queue follow-up tasks (an import queues an allocation) that no worker consumes;
    a worker started later must not pick up those leftovers.

    Afterwards the garbage collector runs. ``start_worker``'s thread ends with its database
    connection still open: workers keep connections between tasks (costgov/celery.py), and the
    thread's connection is left in a reference cycle, so its session lasted until a collection
    happened to run. That could be after the last test, and then the test database could not
    be dropped ("being accessed by other users").
    """
    from costgov.celery import app

    app.control.purge()
    yield app
    gc.collect()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> object:
    """Under CI=true a skipped browser test fails: CI installs Chromium, so a skip hides a gap."""
    outcome = yield
    report = outcome.get_result()
    if report.skipped and item.get_closest_marker("browser") and os.environ.get("CI") == "true":
        report.outcome = "failed"
        report.longrepr = f"browser test skipped with CI=true: {report.longrepr}"
