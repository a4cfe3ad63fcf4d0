from django import forms

from core.dates import DateField
from core.picker import PickerField, PickerFormMixin
from core.subject_access import CARER, PUPIL, STAFF
from schools.pickers import CarerPicker, PupilPicker, StaffPicker

from .models import Decision, PrivacyNotice, RightKind, RightsRequest


class RightsRequestForm(forms.ModelForm):
    received_on = DateField(label="Date received", help_text="The month to answer starts from this day.")

    class Meta:
        model = RightsRequest
        fields = ["kind", "requester_name", "requester_relationship", "subject_name", "received_on", "details"]
        widgets = {"kind": forms.RadioSelect, "details": forms.Textarea(attrs={"rows": 4})}
        error_messages = {
            "kind": {"required": "Choose what they asked for."},
            "requester_name": {"required": "Enter the name of the person who asked."},
            "subject_name": {"required": "Enter whose data the request is about."},
            "details": {"required": "Enter what was asked."},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = RightKind.choices
        self.fields["received_on"].error_messages["required"] = "Enter the date the request was received."


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="Decision",
        choices=Decision.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the decision."},
    )
    notes = forms.CharField(
        label="What was done and why",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="For a refusal, the reason and the exemption relied on; the requester must be told they can complain to the ICO.",
        error_messages={"required": "Enter what was done and why."},
    )
    decided_on = DateField(label="Date of the decision")


class ExportForm(PickerFormMixin, forms.Form):
    """Whose data: a pupil, a carer (found with their child) or a member of staff."""

    subject_kind = forms.ChoiceField(
        label="Whose data",
        choices=[(PUPIL, "A pupil"), (CARER, "A parent or carer"), (STAFF, "A member of staff")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whose data to export."},
    )
    pupil = PickerField(
        kind=PupilPicker(include_leavers=True), label="Pupil", required=False, help_text="Type part of their name."
    )
    carer = PickerField(
        kind=CarerPicker(),
        label="Parent or carer",
        required=False,
        help_text="Type the carer's or their child's name.",
    )
    staff = PickerField(
        kind=StaffPicker(), label="Member of staff", required=False, help_text="Type part of their name."
    )

    def clean(self):
        data = super().clean()
        kind = data.get("subject_kind")
        if kind and not data.get({PUPIL: "pupil", CARER: "carer", STAFF: "staff"}[kind]):
            field = {PUPIL: "pupil", CARER: "carer", STAFF: "staff"}[kind]
            self.add_error(field, f"Choose the {self.fields[field].label.lower()} the export is about.")
        return data

    def subject(self):
        """(kind, pupil, person) from the cleaned data."""
        data = self.cleaned_data
        kind = data["subject_kind"]
        if kind == PUPIL:
            return kind, data["pupil"], None
        if kind == CARER:
            return kind, None, data["carer"].carer
        return kind, None, data["staff"].user


class NoticeForm(forms.ModelForm):
    class Meta:
        model = PrivacyNotice
        fields = ["dpo_name", "dpo_email", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 24})}
        error_messages = {"body": {"required": "Enter the text of the notice."}}
