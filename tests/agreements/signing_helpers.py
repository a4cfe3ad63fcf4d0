"""Shared by the signing, outstanding and compliance tests: staff forms published
through the aup services, as a head would."""

import base64
import datetime
import io

from PIL import Image

from aup import services as aup
from aup.models import Audience, PolicyKind


def publish_staff_form(
    school, by, *, title="ICT acceptable use", staff_types=None, every_academic_year=False, **version_fields
):
    """A new policy with one staff form, approved and published. Returns the form.
    `version_fields` (body, summary, ...) are the version's, as the head wrote them."""
    version = aup.create_policy(school=school, title=title, kind=PolicyKind.ICT_AUP, by=by)
    form = version.forms.get(audience=Audience.STAFF)
    if staff_types is not None or every_academic_year:
        aup.save_form(
            version=version,
            audience=Audience.STAFF,
            title=form.title,
            intro=form.intro,
            sections=aup.sections_of(form),
            staff_types=staff_types,
            every_academic_year=every_academic_year,
            by=by,
        )
    _approve_and_publish(version, by, **version_fields)
    return version.forms.get(audience=Audience.STAFF)


def publish_form_for(school, by, audience, *, title="ICT acceptable use", every_academic_year=False, **version_fields):
    """A new policy with one form for `audience`, approved and published. Returns the form."""
    version = aup.create_policy(school=school, title=title, kind=PolicyKind.ICT_AUP, by=by, audiences=(audience,))
    if every_academic_year:
        form = version.forms.get(audience=audience)
        aup.save_form(
            version=version,
            audience=audience,
            title=form.title,
            intro=form.intro,
            sections=aup.sections_of(form),
            staff_types=[],
            every_academic_year=True,
            by=by,
        )
    _approve_and_publish(version, by, **version_fields)
    return version.forms.get(audience=audience)


def publish_new_version(form, by, *, statements=None):
    """Start, change, approve and publish the next version of `form`'s policy."""
    version = aup.start_new_version(policy=form.version.policy, by=by)
    new_form = version.forms.get(audience=form.audience)
    if statements is not None:
        aup.save_form(
            version=version,
            audience=form.audience,
            title=new_form.title,
            intro=new_form.intro,
            statements=statements,
            staff_types=new_form.staff_types,
            every_academic_year=new_form.every_academic_year,
            by=by,
        )
    _approve_and_publish(version, by)
    return version.forms.get(audience=form.audience)


def _approve_and_publish(version, by, **version_fields):
    from tests.policy_helpers import complete_version

    complete_version(version, by, **version_fields)
    aup.approve(version=version, approved_on=datetime.date(2026, 6, 1), chair="Ruth Okafor", head="Sam Patel", by=by)
    aup.publish(version=version, by=by)


def all_statements(form) -> dict:
    """The ticks that agree to every statement: one for each section of the form."""
    return {f"section_{i}": "on" for i in range(1, len(form.statement_groups()) + 1)}


def png_data_url() -> str:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), (255, 255, 255)).save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def sign_as(form, user):
    """`user` signs `form` through the service, as the signing page would."""
    import secrets

    from agreements import services

    return services.sign(
        form=form,
        signer=user,
        typed_name=user.full_name,
        statements_agreed=[s.number for s in form.statements.all()],
        submission_key=secrets.token_urlsafe(16),
    )
