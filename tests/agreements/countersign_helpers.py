"""Shared by the countersignature tests: a KS2 form a parent countersigns, and a
pupil signing it in a class session confirmed by their teacher."""

from agreements import class_sessions as cs
from aup import services as aup
from aup.models import Audience, PolicyKind
from tests.agreements.signing_helpers import _approve_and_publish


def publish_countersigned_ks2_form(school, by, *, title="ICT acceptable use"):
    version = aup.create_policy(school=school, title=title, kind=PolicyKind.ICT_AUP, by=by, audiences=(Audience.KS2,))
    form = version.forms.get(audience=Audience.KS2)
    aup.save_form(
        version=version,
        audience=Audience.KS2,
        title="Our ICT agreement",
        intro=form.intro,
        sections=aup.sections_of(form),
        every_academic_year=True,
        parent_countersigns=True,
        by=by,
    )
    _approve_and_publish(version, by)
    return version.forms.get(audience=Audience.KS2)


def pupil_signs_in_class(form, school_class, teacher, *pupils):
    """Each pupil signs at the classroom device; the teacher confirms: their signatures."""
    session, _ = cs.open_kiosk_session(form=form, school_class=school_class, led_by=teacher)
    for pupil in pupils:
        cs.record_entry(
            session=session,
            pupil=pupil,
            typed_name=pupil.full_name,
            statements_agreed=[s.number for s in form.statements.all()],
        )
    return cs.confirm_session(session=session, by=teacher)


def store_signed_files_in(folder, monkeypatch):
    """Point every signed-PDF file field at `folder` (their storage was fixed when the
    models were defined; see pdf_helpers.private_media)."""
    from django.core.files.storage import FileSystemStorage

    from agreements.models import CountersignedDocument, SignedDocument
    from aup.models import ApprovalDocument

    for model in (SignedDocument, CountersignedDocument, ApprovalDocument):
        monkeypatch.setattr(model._meta.get_field("file"), "storage", FileSystemStorage(location=folder))
