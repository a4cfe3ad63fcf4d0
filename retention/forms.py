from django import forms

from core.retention import ACTIONS

from .models import LegalHold


class RuleForm(forms.Form):
    years = forms.IntegerField(
        label="How many years",
        min_value=1,
        max_value=150,
        error_messages={
            "required": "Enter a number of years.",
            "invalid": "Enter a whole number of years, like 6.",
            "min_value": "Enter at least 1 year.",
            "max_value": "Enter at most 150 years.",
        },
        widget=forms.NumberInput(attrs={"class": "input--short", "inputmode": "numeric"}),
    )
    action = forms.ChoiceField(
        label="What happens at the end", widget=forms.RadioSelect, error_messages={"required": "Choose what happens."}
    )
    reason = forms.CharField(
        label="Why the trust keeps them this long",
        help_text='For the record of the schedule\'s changes, e.g. "IICSA: keep safeguarding files 75 years".',
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why the trust keeps these records for this long."},
    )

    def __init__(self, *args, kind, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [(a, ACTIONS[a]) for a in kind.actions]


class HoldForm(forms.Form):
    subject = forms.ChoiceField(
        label="What the hold is on",
        choices=LegalHold.Subject.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what the hold is on."},
    )
    identifier = forms.CharField(
        label="Which one",
        help_text="A pupil's UPN or MIS id, a person's email address, or an incident's reference (INC-2026-0004).",
        max_length=254,
        error_messages={"required": "Enter the UPN, email address or incident reference."},
    )
    reason = forms.CharField(
        label="Why the records must be kept",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why the records must be kept."},
    )


class LiftForm(forms.Form):
    reason = forms.CharField(
        label="Why the hold can be lifted",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why the hold is no longer needed."},
    )
