from consent import services
from consent.models import ConsentForm, FormStatus


def published_form(school, by) -> ConsentForm:
    """The school's published consent form (the usual purposes), made if need be."""
    form = ConsentForm.objects.filter(school=school, status=FormStatus.PUBLISHED).first()
    if form is not None:
        return form
    return services.publish(draft=services.start_draft(school=school, by=by), by=by)


def answer(carer, pupils, form, key, **answers):
    """Record `carer`'s answers: every purpose no unless given as code=True."""
    values = {p.code: bool(answers.get(p.code, False)) for p in form.purposes.all()}
    return services.record_answers(
        carer=carer,
        form=form,
        pupils=pupils if isinstance(pupils, list) else [pupils],
        answers=values,
        typed_name=carer.get_full_name() or "A Carer",
        submission_key=key,
    )
