"""Shared fixtures: a trust with two schools; one person per role in `school`; a
parent; someone of another school; and helpers to sign them in."""

import os

import psycopg
import pytest
from allauth.account.internal.flows.login import record_authentication
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core.cache import cache
from django.db import connections
from django.test import RequestFactory

from core.evidence import ensure_role, grant_runtime_role
from core.roles import Role, roles_are_sensitive

from . import db_roles
from .factories import (
    GuardianshipFactory,
    MembershipFactory,
    PupilFactory,
    SchoolClassFactory,
    SchoolFactory,
    TrustFactory,
    TrustMembershipFactory,
)
from .object_storage import object_storage, s3_bucket, s3_server  # noqa: F401 (fixtures)
from .signing import another_signing_key, timestamp_authority, timestamp_server  # noqa: F401 (fixtures)


def pytest_sessionfinish(session, exitstatus):
    """In CI a skipped test is a failure: every service and the browser are there."""
    if os.environ.get("CI") and exitstatus == 0:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        skipped = reporter.stats.get("skipped", []) if reporter else []
        if skipped:
            reporter.write_line(f"CI: {len(skipped)} test(s) were skipped; in CI that is a failure.", red=True)
            session.exitstatus = 1


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """On PostgreSQL: the test database is made and migrated as the owner; then the
    whole suite runs as the runtime role, which may not alter evidence."""
    connection = connections["default"]
    if connection.vendor != "postgresql":
        yield
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        ensure_role(cursor, db_roles.RUNTIME_ROLE)
        grant_runtime_role(cursor, db_roles.RUNTIME_ROLE)
    owner = {"USER": connection.settings_dict["USER"], "PASSWORD": connection.settings_dict["PASSWORD"]}
    _connect_as(connection, {"USER": db_roles.RUNTIME_ROLE, "PASSWORD": ""})
    db_roles.OWNER.update(owner)
    yield
    _connect_as(connection, owner)  # the owner drops the test database
    _end_other_sessions(connection)
    db_roles.OWNER.clear()


def _connect_as(connection, credentials):
    connection.close()
    connection.settings_dict.update(credentials)


def _end_other_sessions(connection):
    """A connection a finished thread opened (a live server's, a test worker's) may
    not be garbage-collected yet, and PostgreSQL will not drop a database anyone is
    connected to: end such sessions, so the test database is dropped, not left behind."""
    try:
        with db_roles.owner_connection(connection) as owner:
            owner.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
    except psycopg.Error:  # an owner that is not allowed to: the drop warns, as before
        pass


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def give_mfa(user) -> str:
    """Set up TOTP for a user, as if they had scanned the QR code. Returns the secret."""
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def make_member(school, *roles, mfa=None, **kwargs):
    """An active member of `school` with `roles`. People with sensitive roles get
    TOTP set up unless mfa=False, so they can reach school pages in tests."""
    membership = MembershipFactory(school=school, roles=list(roles), **kwargs)
    if mfa or (mfa is None and roles_are_sensitive(roles)):
        give_mfa(membership.user)
    return membership.user


@pytest.fixture
def trust(db):
    return TrustFactory(name="Riverside Learning Trust", slug="riverside")


@pytest.fixture
def school(trust):
    return SchoolFactory(trust=trust, name="Oakfield Primary School", slug="oakfield")


@pytest.fixture
def other_school(db):
    """A school of another trust: its people must never see `school`."""
    return SchoolFactory(name="Elm Tree Primary School", slug="elm-tree")


@pytest.fixture
def sister_school(trust):
    """Another school of the same trust."""
    return SchoolFactory(trust=trust, name="Willow Nursery School", slug="willow", phase="nursery")


@pytest.fixture
def head(school):
    return make_member(school, Role.HEADTEACHER)


@pytest.fixture
def deputy(school):
    return make_member(school, Role.DEPUTY)


@pytest.fixture
def dsl(school):
    return make_member(school, Role.DSL)


@pytest.fixture
def esafety_lead(school):
    return make_member(school, Role.ESAFETY_LEAD)


@pytest.fixture
def office(school):
    return make_member(school, Role.OFFICE)


@pytest.fixture
def teacher(school):
    return make_member(school, Role.TEACHER)


@pytest.fixture
def support_staff(school):
    return make_member(school, Role.SUPPORT_STAFF)


@pytest.fixture
def governor(school):
    return make_member(school, Role.GOVERNOR)


@pytest.fixture
def trust_officer(trust):
    membership = TrustMembershipFactory(trust=trust)
    give_mfa(membership.user)
    return membership.user


@pytest.fixture
def school_class(school):
    return SchoolClassFactory(school=school, name="Oak")


@pytest.fixture
def pupil(school, school_class):
    return PupilFactory(school=school, school_class=school_class, first_name="Amelia", last_name="Khan")


@pytest.fixture
def parent(school, pupil):
    user = make_member(school, Role.PARENT)
    GuardianshipFactory(pupil=pupil, carer=user, relationship="mother")
    return user


@pytest.fixture
def outsider(other_school):
    """The headteacher of another school: every capability, but not here."""
    return make_member(other_school, Role.HEADTEACHER)


def sign_in_with_mfa(client, user):
    """Sign `client` in as `user` as if they had typed their password and then, when
    they have TOTP, the code from their app. force_login alone makes a session that
    passed no step at all, and the MFA middleware sends people who must use two-step
    sign-in back for the code; so the steps are recorded in the session with allauth's
    own `record_authentication`, exactly as its sign-in views do."""
    client.force_login(user)
    totp = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if totp is not None:
        session = client.session
        request = RequestFactory().get("/")
        request.session = session
        record_authentication(request, user, "password", email=user.email)
        record_authentication(request, user, "mfa", id=totp.pk, type=totp.type)
        session.save()
    return client


@pytest.fixture
def client_for(client):
    """client_for(user) -> the test client signed in as that user, with both steps of
    sign-in passed when they have two-step sign-in."""

    def sign_in(user):
        return sign_in_with_mfa(client, user)

    return sign_in
