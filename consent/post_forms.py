"""Forms for planned posts: input parsing and the messages staff see."""

from django import forms

from core.dates import DateTimeField

from .models import FIRST_NAME_PURPOSE, PostStatus

IMAGE_ACCEPT = ".png,.jpg,.jpeg,image/png,image/jpeg"


class _Form(forms.Form):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


def group_choices(classes, year_groups, events):
    return [
        ("", "Choose a class, year group or event"),
        ("Classes", [(f"class-{c.pk}", c.name) for c in classes]),
        ("Year groups", [(f"year-{y.pk}", f"All of {y.name}") for y in year_groups]),
        *([("Events", [(f"event-{e.pk}", str(e)) for e in events])] if events else []),
    ]


def purpose_choices(purposes):
    # "First name shown" is a permission on the post (PlanForm.first_name_shown), not a place.
    purposes = [p for p in purposes if p.code != FIRST_NAME_PURPOSE]
    uses = [(p.code, p.label) for p in purposes if p.kind != "social"]
    social = [(p.code, p.label) for p in purposes if p.kind == "social"]
    return [("", "Choose where it will be published")] + (
        [("Uses", uses), ("Social media", social)] if social else uses
    )


class PickForm(_Form):
    """GET: which pupils to choose from, and for what purpose."""

    group = forms.ChoiceField(label="Pupils from")
    purpose = forms.ChoiceField(label="Where it will be published")

    def __init__(self, *args, classes, year_groups, events, purposes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].choices = group_choices(classes, year_groups, events)
        self.fields["purpose"].choices = purpose_choices(purposes)


class PlanForm(_Form):
    purpose = forms.ChoiceField(
        label="Where it will be published",
        error_messages={"required": "Choose where the post will be published."},
    )
    caption = forms.CharField(
        label="Caption",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Exactly as it will appear. Never a pupil's full name; a first name only where carers agreed.",
        error_messages={"required": "Write the caption as it will appear."},
    )
    pupils = forms.MultipleChoiceField(
        label="Pupils in the photo",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Tick the pupils who are in the photo."},
    )
    first_name_shown = forms.BooleanField(
        label="First names are shown with the photo",
        required=False,
        help_text="Only if the carers of every pupil in it agreed: the list above says whose did.",
    )
    image = forms.FileField(
        label="The photo",
        required=False,  # the service decides: every post needs one except a video's
        help_text="Needed for every post except a video: the head approves it with the photo in front of them. "
        "A PNG or JPEG image of 10 MB or less.",
        widget=forms.ClearableFileInput(attrs={"accept": IMAGE_ACCEPT}),
    )
    event = forms.ChoiceField(label="Event (optional)", required=False)

    def __init__(self, *args, purposes, pupils, events, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["purpose"].choices = purpose_choices(purposes)
        self.fields["pupils"].choices = [(str(p.pk), p.full_name) for p in pupils]
        self.fields["event"].choices = [("", "None")] + [(str(e.pk), str(e)) for e in events]


class RefuseForm(_Form):
    reason = forms.CharField(
        label="Why it is refused",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why, so the person who planned it knows what to change."},
    )


class PublishForm(_Form):
    where = forms.CharField(
        label="Where it was published",
        max_length=300,
        help_text="The link to the post, or where it appeared (for example “Newsletter, spring term”).",
        error_messages={"required": "Give the link to the post, or say where it appeared."},
    )
    when = DateTimeField(
        label="When it was published",
        error_name="The date and time it was published",
        required=False,
        help_text="Leave empty for now.",
    )


class TakeDownForm(_Form):
    note = forms.CharField(
        label="Note (optional)",
        max_length=300,
        required=False,
        help_text="For example, who removed it and from where.",
    )


class LogFilterForm(_Form):
    status = forms.ChoiceField(label="Status", required=False)
    purpose = forms.ChoiceField(label="Where", required=False)

    def __init__(self, *args, purposes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", "Any status"), *PostStatus.choices]
        self.fields["purpose"].choices = [("", "Anywhere"), *purposes]
