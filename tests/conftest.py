"""Personas and shared fixtures. Browser tests use Client.force_login (django-axes needs a request to
authenticate, so ``client.login`` is not used)."""

from __future__ import annotations

import os

import pytest
from django.test import Client

from collab.accounts.models import Department, Role, User
from collab.celery import app as celery_app
from tests import pgtemplate
from tests.factories import UserFactory

_TEMPLATE_MADE = pytest.StashKey[str]()


def pytest_configure(config):
    """The xdist controller migrates one template for the run before it starts its workers (tests/pgtemplate.py);
    each worker's test database is then a copy of it instead of a migration of its own."""
    if hasattr(config, "workerinput") or not pgtemplate.on_postgres() or pgtemplate.given():
        return
    if not getattr(config.option, "numprocesses", None) or config.option.create_db or not config.option.reuse_db:
        return
    name = f"test_{pgtemplate.database_url().rsplit('/', 1)[1]}_template"
    pgtemplate.create(name)
    os.environ[pgtemplate.ENV_VAR] = name  # the workers start after this and inherit it
    config.stash[_TEMPLATE_MADE] = name


def pytest_unconfigure(config):
    name = config.stash.get(_TEMPLATE_MADE, None)
    if name:
        os.environ.pop(pgtemplate.ENV_VAR, None)
        pgtemplate.drop(name)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """``--dist loadgroup`` that also keeps tests/reliability/ on one worker. An ``xdist_group`` mark would not
    reach the scheduler with pytest 9.2: xdist 3.8 renames each grouped test by setting ``item._nodeid``, which
    pytest no longer reads, so the group was silently lost and the reliability tests ran on both workers at once."""
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadGroupScheduling

    class _Scheduling(LoadGroupScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return "reliability" if nodeid.startswith("tests/reliability/") else super()._split_scope(nodeid)

    return _Scheduling(config, log)


@pytest.fixture(scope="session")
def _test_db_from_template(django_db_modify_db_settings, django_db_keepdb, django_db_createdb):
    """With a run template, this worker's test database is made a copy of it (a second) before pytest-django
    looks: it finds the database there (``--reuse-db``) with every migration applied."""
    template = pgtemplate.given()
    if template and pgtemplate.on_postgres() and django_db_keepdb and not django_db_createdb:
        from django.db import connections

        pgtemplate.clone(template, connections["default"].creation._get_test_db_name())


@pytest.fixture(scope="session")
def django_db_setup(_test_db_from_template, django_db_setup):
    """pytest-django's own set-up, after the copy above."""
    yield


@pytest.fixture(autouse=True)
def _eager_celery(settings):
    """Tasks run inline by default; tests of the real broker switch this off themselves."""
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    yield
    celery_app.conf.task_always_eager = False


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Cached figures (the dashboard's weekly trend) never leak from one test into another."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _locmem_email(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def cmo(db) -> User:
    return UserFactory(
        username="cmo",
        first_name="Claire",
        last_name="Moreau",
        department=Department.MARKETING,
        role=Role.EXECUTIVE,
        is_department_head=True,
        job_title="CMO",
    )


@pytest.fixture
def cio(db) -> User:
    return UserFactory(
        username="cio",
        first_name="Ian",
        last_name="Okafor",
        department=Department.IT,
        role=Role.EXECUTIVE,
        is_department_head=True,
        job_title="CIO",
        time_zone="Europe/London",
    )


@pytest.fixture
def liaison(db) -> User:
    return UserFactory(
        username="liaison",
        first_name="Lena",
        last_name="Schmidt",
        department=Department.IT,
        role=Role.LIAISON,
        job_title="Liaison",
    )


@pytest.fixture
def member(db) -> User:
    return UserFactory(
        username="member", first_name="Max", last_name="Berger", department=Department.MARKETING, role=Role.MEMBER
    )


@pytest.fixture
def outsider(db) -> User:
    """A member of another department (finance) with no part in anything."""
    return UserFactory(username="outsider", department=Department.FINANCE, role=Role.MEMBER)


@pytest.fixture
def admin_user(db) -> User:
    return UserFactory(username="admin", department=Department.IT, role=Role.ADMIN, is_staff=True, is_superuser=True)


def _client_for(user: User) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def client_as():
    return _client_for
