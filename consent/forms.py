from django import forms
from django.core.exceptions import ValidationError
from django.forms import modelformset_factory
from django.utils.text import slugify

from agreements.forms import SignForm
from core.dates import DateField

from .models import ConsentPurpose

YES_NO = [("yes", "Yes"), ("no", "No")]


class AnswerForm(forms.Form):
    """Yes or no for each use, for one child (and optionally their brothers and
    sisters at the same school), then the typed name."""

    typed_name = SignForm.base_fields["typed_name"]
    drawn_signature = SignForm.base_fields["drawn_signature"]
    submission_key = SignForm.base_fields["submission_key"]
    also_for = forms.MultipleChoiceField(
        label="Give the same answers for", required=False, widget=forms.CheckboxSelectMultiple
    )

    clean_typed_name = SignForm.clean_typed_name
    clean_drawn_signature = SignForm.clean_drawn_signature

    def __init__(self, *args, purposes, others=(), **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.purposes = list(purposes)
        for purpose in self.purposes:
            self.fields[f"use_{purpose.code}"] = forms.ChoiceField(
                label=purpose.label,
                help_text=purpose.help_text,
                choices=YES_NO,
                widget=forms.RadioSelect,
                error_messages={"required": f"Choose yes or no for “{purpose.label}”."},
            )
        self.fields["also_for"].choices = [(str(p.pk), p.full_name) for p in others]
        if not others:
            del self.fields["also_for"]

    def use_fields(self):
        return [self[f"use_{p.code}"] for p in self.purposes]

    def answers(self) -> dict[str, bool]:
        return {p.code: self.cleaned_data[f"use_{p.code}"] == "yes" for p in self.purposes}


class GroupField(forms.ChoiceField):
    """A class, year group or event of this school. Any "event-<number>" passes here
    so that the page answers 404 for an event that is not this school's."""

    def valid_value(self, value):
        kind, _, pk = str(value).partition("-")
        return (kind == "event" and pk.isdigit()) or super().valid_value(value)


class CheckForm(forms.Form):
    group = GroupField(label="Class, year group or event")
    purpose = forms.ChoiceField(label="Use of the photo")

    def __init__(self, *args, classes, year_groups, purposes, events=(), **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        choices = [
            ("", "Choose a class, year group or event"),
            ("Classes", [(f"class-{c.pk}", c.name) for c in classes]),
            ("Year groups", [(f"year-{y.pk}", f"All of {y.name}") for y in year_groups]),
        ]
        events = [(f"event-{e.pk}", str(e)) for e in events]
        if events:
            choices.append(("Events", events))
        self.fields["group"].choices = choices
        self.fields["purpose"].choices = [(p.code, p.label) for p in purposes]


class FormSettingsForm(forms.Form):
    intro = forms.CharField(
        label="Introduction for parents and carers",
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        help_text="Plain English: what the school uses photos for and that answers can be changed at any time.",
    )


class PurposeForm(forms.ModelForm):
    class Meta:
        model = ConsentPurpose
        fields = ["label", "help_text", "kind", "order"]
        labels = {
            "label": "Use",
            "help_text": "What it means, for parents",
            "kind": "A use, or a social media site",
            "order": "Order",
        }
        help_texts = {"order": "Lower numbers come first on the form. Leave empty to put it last."}
        widgets = {"help_text": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["order"].required = False
        if self.instance.pk is None:
            self.initial.pop("order", None)
            self.fields["order"].initial = None


class BasePurposeFormSet(forms.BaseModelFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        kept = [f for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        if not kept:
            raise ValidationError("Keep at least one use on the form.")
        labels = [f.cleaned_data["label"].strip().lower() for f in kept]
        if len(labels) != len(set(labels)):
            raise ValidationError("Two uses have the same name. Give each use its own name.")


PurposeFormSet = modelformset_factory(
    ConsentPurpose, form=PurposeForm, formset=BasePurposeFormSet, extra=2, can_delete=True
)


def new_code(label: str, taken: set[str]) -> str:
    """A code for a new use, from its label: answers are keyed by code, so an existing
    use keeps its code when its label is reworded."""
    base = slugify(label).replace("-", "_")[:34] or "use"
    code, n = base, 2
    while code in taken:
        code, n = f"{base}_{n}", n + 1
    taken.add(code)
    return code


# --- Mobile phones ----------------------------------------------------------------------


class PhoneRequestForm(forms.Form):
    """A carer asks for their child to bring a phone: the reason, the rules agreed,
    and their typed name as the signature."""

    reason = forms.CharField(
        label="Why does your child need to bring a phone?",
        help_text="For example: they walk home alone, or travel between two homes.",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Say why your child needs to bring a phone."},
    )
    agree = forms.BooleanField(
        label="I agree to these rules, and I will talk them through with my child.",
        error_messages={"required": "Tick to agree to the rules."},
    )
    typed_name = SignForm.base_fields["typed_name"]
    submission_key = SignForm.base_fields["submission_key"]

    clean_typed_name = SignForm.clean_typed_name

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise ValidationError("Say why your child needs to bring a phone.")
        return reason


class PhoneDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="Your decision",
        choices=[("approve", "Approve"), ("refuse", "Refuse")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose approve or refuse."},
    )
    note = forms.CharField(
        label="Reason (needed to refuse: the parent or carer sees it)",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        if data.get("decision") == "refuse" and not (data.get("note") or "").strip():
            self.add_error("note", "Give a reason for refusing: the parent or carer will see it.")
        return data


# --- Events -----------------------------------------------------------------------------


class EventForm(forms.Form):
    """An event's name, date and pupils. The page shows the pupils already picked and
    those of one class or year group at a time; the field accepts any current pupil of
    the school."""

    name = forms.CharField(
        label="Name of the event",
        max_length=120,
        help_text="For example: Year 5 trip to the museum, or the football match.",
        error_messages={"required": "Give the event a name."},
    )
    date = DateField(
        label="Date of the event",
        error_messages={"required": "Enter the date of the event"},
    )
    pupils = forms.ModelMultipleChoiceField(
        queryset=None,
        required=False,
        widget=forms.MultipleHiddenInput,
        error_messages={"invalid_choice": "Choose pupils of this school only."},
    )
    show = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, pupils, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["pupils"].queryset = pupils

    def chosen_ids(self) -> set[int]:
        """The pupils ticked (as posted, or as saved)."""
        if self.is_bound:
            return {int(v) for v in self.data.getlist(self.add_prefix("pupils")) if str(v).isdigit()}
        return {int(getattr(p, "pk", p)) for p in self.initial.get("pupils", [])}
