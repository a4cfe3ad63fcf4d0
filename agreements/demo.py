"""Demo signatures: about two thirds of each demo school's staff have signed, so the
dashboard has something to show; the fixed teacher login has not, so it can."""

from django.utils.crypto import get_random_string

from aup.models import Audience
from core.roles import STAFF_ROLES
from schools.models import Membership

from . import services


def sign_for_demo_staff(versions) -> int:
    signed = 0
    for version in versions:
        form = version.forms.get(audience=Audience.STAFF)
        numbers = list(form.statements.values_list("number", flat=True))
        staff = (
            Membership.objects.active()
            .filter(school=version.policy.school, roles__role__in=STAFF_ROLES)
            .exclude(user__email="teacher@riverside.example")
            .select_related("user")
            .distinct()
            .order_by("user__last_name")
        )
        for i, membership in enumerate(staff):
            if i % 3 == 2:
                continue  # outstanding
            services.sign(
                form=form,
                signer=membership.user,
                typed_name=membership.user.full_name,
                statements_agreed=numbers,
                submission_key=f"demo-{form.pk}-{membership.pk}-{get_random_string(6)}",
                # Made when someone first opens it: a queue of PDFs to render (and
                # email) would keep the worker from the person trying the demo.
                queue_pdf=False,
            )
            signed += 1
    return signed
