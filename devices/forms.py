from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from agreements.forms import SignForm
from core.dates import DateField, DateTimeField
from core.picker import PickerField, PickerFormMixin
from schools.pickers import CarerPicker, StaffPicker

from .models import Device, DeviceSettings, DeviceStatus, DeviceType
from .pickers import DevicePicker

CERTIFICATE_ACCEPT = ".png,.jpg,.jpeg,.pdf,image/png,image/jpeg,application/pdf"


def date_field(label, *, required=True, help_text=""):
    """A GOV.UK date input (core.dates); its required message is "Enter the <label>"."""
    return DateField(label=label, required=required, help_text=help_text)


class _Form(forms.Form):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class RegisterFilterForm(_Form):
    q = forms.CharField(
        label="Search",
        required=False,
        max_length=100,
        help_text="Serial number, asset tag or holder's name",
        widget=forms.TextInput(attrs={"spellcheck": "false"}),
    )
    device_type = forms.ChoiceField(label="Type", required=False, choices=[("", "Any type"), *DeviceType.choices])
    status = forms.ChoiceField(label="Status", required=False, choices=[("", "Any status"), *DeviceStatus.choices])


class DeviceForm(forms.ModelForm):
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[(DeviceStatus.AVAILABLE, "Available"), (DeviceStatus.IN_REPAIR, "In repair")],
        help_text="Lending, returns, losses and disposal change the status themselves.",
    )

    class Meta:
        model = Device
        fields = [
            "device_type",
            "make",
            "model",
            "serial_number",
            "asset_tag",
            "purchase_date",
            "cost",
            "encrypted",
            "location",
            "condition",
            "notes",
        ]
        labels = {"encrypted": "The device is encrypted"}
        help_texts = {
            "model": "For example, Latitude 5440 or iPad (10th generation).",
            "asset_tag": "The school's own label on the device, if it has one.",
            "location": "Where it is kept when not on loan, for example the ICT cupboard.",
            "condition": "For example, good; small scratch on the lid.",
        }
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, editing_status=None, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["purchase_date"] = date_field("Purchase date", required=False)
        self.fields["make"].help_text = "For example, Dell, Apple or Canon."
        if editing_status not in (DeviceStatus.AVAILABLE, DeviceStatus.IN_REPAIR, DeviceStatus.LOST_OR_STOLEN):
            del self.fields["status"]
        elif editing_status == DeviceStatus.LOST_OR_STOLEN:
            self.fields["status"].choices = [
                ("", "Still lost or stolen"),
                (DeviceStatus.AVAILABLE, "Found: available"),
                (DeviceStatus.IN_REPAIR, "Found: in repair"),
            ]

    def validate_unique(self):
        """The service checks the serial number and asset tag, with its own words."""


class LendForm(PickerFormMixin, _Form):
    """Devices found by typing or scanning their asset tag; the borrower found by name.
    Without JavaScript each picker is a search box with a "Search" button."""

    devices = PickerField(
        kind=DevicePicker(),
        multiple=True,
        label="Devices",
        help_text="Type or scan the asset tag or serial number and press Enter, or type the make or model "
        "and choose from the list. Add as many as you need.",
        error_messages={"required": "Choose at least one device to lend."},
    )
    borrower = PickerField(
        kind=StaffPicker(active_only=True),
        label="Member of staff",
        required=False,
        help_text="Type part of their name. For a pupil's loan, find the carer below instead.",
    )
    guardianship = PickerField(
        kind=CarerPicker(),
        label="Or a pupil, signed for by their carer",
        required=False,
        help_text="Type the carer's or the pupil's name. The carer, who holds parental responsibility, signs "
        "the receipt.",
    )
    due_on = date_field("Due back on", required=False)
    until_leaving = forms.BooleanField(
        label="Until they leave the school (no due date)",
        required=False,
    )
    notes = forms.CharField(label="Notes (optional)", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self):
        data = super().clean()
        if not self.errors:
            if bool(data.get("borrower")) == bool(data.get("guardianship")):
                self.add_error("borrower", "Choose a member of staff, or a pupil and their carer (not both).")
            if not data.get("until_leaving") and not data.get("due_on"):
                self.add_error("due_on", "Give the date the equipment is due back, or tick “until they leave”.")
        return data


class ReceiptSignForm(SignForm):
    """The loan conditions, ticked and signed by the borrower."""


class ReturnForm(SignForm):
    """Which devices come back and in what state; then the borrower signs."""

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = items
        for item in items:
            prefix = f"item_{item.pk}"
            self.fields[f"{prefix}_returned"] = forms.BooleanField(
                label=f"{item.device.label} is returned", required=False
            )
            self.fields[f"{prefix}_condition"] = forms.CharField(
                label="Condition on return", required=False, max_length=500
            )
            self.fields[f"{prefix}_accessories"] = forms.CharField(
                label="Accessories returned", required=False, max_length=300, help_text="For example, charger and case."
            )
            if item.device.needs_data_removed:
                self.fields[f"{prefix}_personal_data_removed"] = forms.BooleanField(
                    label="Photos, messages and other personal data have been removed", required=False
                )

    def item_rows(self):
        rows = []
        for item in self.items:
            prefix = f"item_{item.pk}"
            rows.append(
                {
                    "item": item,
                    "returned": self[f"{prefix}_returned"],
                    "condition": self[f"{prefix}_condition"],
                    "accessories": self[f"{prefix}_accessories"],
                    "data_removed": self[f"{prefix}_personal_data_removed"] if item.device.needs_data_removed else None,
                }
            )
        return rows

    def clean(self):
        data = super().clean()
        if not any(data.get(f"item_{item.pk}_returned") for item in self.items):
            raise ValidationError("Tick the devices being returned.")
        return data

    def returns(self) -> dict[int, dict]:
        data = self.cleaned_data
        return {
            item.pk: {
                "condition": data.get(f"item_{item.pk}_condition", ""),
                "accessories": data.get(f"item_{item.pk}_accessories", ""),
                "personal_data_removed": data.get(f"item_{item.pk}_personal_data_removed", False),
            }
            for item in self.items
            if data.get(f"item_{item.pk}_returned")
        }


class LostForm(_Form):
    happened_at = DateTimeField(
        label="When it was lost or stolen",
        error_name="The date and time it was lost or stolen",
        help_text="As near as you know. Leave as now if you have just found out.",
        error_messages={"required": "Enter when it was lost or stolen"},
    )
    where = forms.CharField(
        label="Where",
        max_length=200,
        help_text="For example, on the train home, or the staff room.",
        error_messages={"required": "Enter where it was lost or stolen"},
    )
    what_happened = forms.CharField(label="What happened", widget=forms.Textarea(attrs={"rows": 4}))
    submission_key = forms.CharField(max_length=48, widget=forms.HiddenInput)

    def clean_happened_at(self):
        value = self.cleaned_data["happened_at"]
        if value > timezone.now():
            raise ValidationError("The time it happened cannot be in the future.")
        return value


class DisposeForm(_Form):
    contractor = forms.CharField(
        label="Contractor",
        max_length=200,
        help_text="The company that took the device away.",
        error_messages={"required": "Enter the name of the contractor"},
    )
    disposed_on = date_field("Date of disposal")
    weee_note = forms.CharField(
        label="WEEE note",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The waste transfer note number or how the device was recycled under the WEEE regulations.",
    )
    certificate = forms.FileField(
        label="Certificate of data destruction",
        help_text="A PDF, PNG or JPEG of 10 MB or less.",
        widget=forms.ClearableFileInput(attrs={"accept": CERTIFICATE_ACCEPT}),
        error_messages={"required": "Attach the contractor's certificate that the data was destroyed."},
    )


class SettingsForm(forms.ModelForm):
    class Meta:
        model = DeviceSettings
        fields = ["laptops_must_be_encrypted", "staff_must_have_signed_agreement"]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class ImportForm(_Form):
    file = forms.FileField(
        label="The register as a CSV file",
        help_text="Save the spreadsheet as CSV (comma separated). Columns: Type, Make, Model, Serial number, "
        "Asset tag, Purchase date, Cost, Encrypted, Location, Condition, Notes. Type, Make and Serial number "
        "are needed.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
        error_messages={"required": "Choose the CSV file to import."},
    )


class LabelsForm(_Form):
    """Which sheet to print the asset labels on, and where on it to start."""

    layout = forms.ChoiceField(
        label="Label sheet",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the label sheet you will print on.",
            "invalid_choice": "Choose one of these label sheets.",
        },
    )
    start = forms.IntegerField(
        label="Start at label number",
        min_value=1,
        help_text="To use a sheet that already has some labels peeled off, count from the top left, along each row.",
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "input--width-3"}),
        error_messages={
            "required": "Enter the number of the first empty label on the sheet, for example 1.",
            "invalid": "Enter the label number as a whole number, for example 5.",
            "min_value": "Enter a label number of 1 or more.",
        },
    )

    def __init__(self, *args, **kwargs):
        from .labels import LAYOUTS

        super().__init__(*args, **kwargs)
        self.layouts = LAYOUTS
        self.fields["layout"].choices = [(code, layout.name) for code, layout in LAYOUTS.items()]

    def clean(self):
        data = super().clean()
        layout = self.layouts.get(data.get("layout") or "")
        start = data.get("start")
        if layout and start and start > layout.per_sheet:
            self.add_error(
                "start",
                f"Enter a label number from 1 to {layout.per_sheet}: an {layout.code} sheet has {layout.per_sheet} labels.",
            )
        return data


class HandOverForm(forms.Form):
    """The member of staff handing the devices over countersigns the receipt."""

    typed_name = forms.CharField(
        label="Your full name",
        max_length=200,
        help_text="Typing your name countersigns the receipt: you handed these devices to the borrower.",
        error_messages={"required": "Type your full name to countersign."},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
