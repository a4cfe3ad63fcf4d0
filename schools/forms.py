import uuid

from django import forms

from core.dates import DateField
from core.roles import STAFF_ROLES, Role
from core.uploads import IMAGE_KINDS, kind_of_file

from .models import Pupil, Relationship, RosterKind, StaffType
from .services import ChildLink


def _role_choices(roles):
    return [(r.value, r.label) for r in roles]


class PersonFields(forms.Form):
    first_name = forms.CharField(max_length=150, widget=forms.TextInput(attrs={"autocomplete": "off"}))
    last_name = forms.CharField(max_length=150, widget=forms.TextInput(attrs={"autocomplete": "off"}))
    email = forms.EmailField(
        label="Email address",
        help_text="We send the invitation here. It is also how they sign in.",
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()

    def person_details(self) -> dict:
        """The keyword arguments for schools.services.add_person."""
        data = self.cleaned_data
        return {
            "email": data["email"],
            "first_name": data["first_name"],
            "last_name": data["last_name"],
            "send_invitation": data["send_invitation"],
        }


class AddStaffForm(PersonFields):
    roles = forms.MultipleChoiceField(
        choices=_role_choices(STAFF_ROLES),
        widget=forms.CheckboxSelectMultiple,
        help_text="Tick every role they hold at this school.",
        error_messages={"required": "Select at least one role"},
    )
    job_title = forms.CharField(max_length=100, required=False)
    staff_type = forms.ChoiceField(label="Type of staff", choices=[("", "Choose…"), *StaffType.choices])
    start_date = DateField(label="Start date", required=False)
    send_invitation = forms.BooleanField(label="Email them an invitation now", required=False, initial=True)

    def person_details(self) -> dict:
        data = self.cleaned_data
        return {
            **super().person_details(),
            "roles": data["roles"],
            "job_title": data["job_title"],
            "staff_type": data["staff_type"],
            "start_date": data["start_date"],
        }


class AddParentForm(PersonFields):
    children = forms.ModelMultipleChoiceField(
        queryset=Pupil.objects.none(),
        help_text="Hold Ctrl (or ⌘ on a Mac) to choose more than one child.",
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    relationship = forms.ChoiceField(choices=[("", "Choose…"), *Relationship.choices])
    parental_responsibility = forms.BooleanField(
        label="Has parental responsibility",
        required=False,
        initial=True,
        help_text="Untick for a carer who cannot give consent, for example after a court order.",
    )
    send_invitation = forms.BooleanField(label="Email them an invitation now", required=False, initial=True)

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["children"].queryset = (
            Pupil.objects.current().filter(school=school).select_related("school_class").order_by("last_name")
        )
        self.fields["children"].label_from_instance = lambda p: (
            f"{p.last_name}, {p.first_name} ({p.school_class or p.year_group})"
        )

    def person_details(self) -> dict:
        data = self.cleaned_data
        return {
            **super().person_details(),
            "roles": [Role.PARENT],
            "children": [
                ChildLink(
                    pupil=pupil,
                    relationship=data["relationship"],
                    parental_responsibility=data["parental_responsibility"],
                )
                for pupil in data["children"]
            ],
        }


class RolesForm(forms.Form):
    roles = forms.MultipleChoiceField(
        label="Tick every role they hold here",
        choices=_role_choices(list(Role)),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select at least one role"},
    )

    def __init__(self, *args, parent=False, **kwargs):
        super().__init__(*args, **kwargs)
        roles = [Role.PARENT] if parent else STAFF_ROLES
        self.fields["roles"].choices = _role_choices(roles)


class LeaverForm(forms.Form):
    leaving_date = DateField(
        label="Last day at the school",
        help_text="If this is today or earlier, their access ends at once.",
    )


class LogoField(forms.ImageField):
    """An image judged by its content alone: Django's check of the file's extension
    is dropped, since the name is replaced by one made from the detected format."""

    default_validators = []


class SchoolSettingsForm(forms.ModelForm):
    MAX_LOGO_BYTES = 1024 * 1024

    class Meta:
        from .models import School

        model = School
        fields = ["name", "address", "logo", "mfa_for_all_staff", "every_carer_signs"]
        field_classes = {"logo": LogoField}
        widgets = {"address": forms.Textarea(attrs={"rows": 4})}
        help_texts = {"logo": "A PNG or JPEG image, up to 1 MB. It appears on signed documents and emails."}
        error_messages = {"name": {"required": "Enter the name of the school"}}

    def clean_logo(self):
        # forms.ImageField has already opened the file with Pillow, so this is the
        # image's real format, not its name.
        logo = self.cleaned_data.get("logo")
        image = getattr(logo, "image", None)
        if image is not None:
            if logo.size > self.MAX_LOGO_BYTES:
                raise forms.ValidationError("The logo is too large. Please choose an image under 1 MB.")
            kind = kind_of_file(logo)
            if image.format not in ("PNG", "JPEG") or kind is None or kind[0] not in IMAGE_KINDS:
                raise forms.ValidationError("The logo must be a PNG or JPEG image.")
            # Stored under a name of our making with the extension of what it is, never
            # the uploaded name: a PNG called "logo.svg" or "x.html" must not become one.
            logo.name = f"{uuid.uuid4().hex}.{kind[1]}"
        return logo


class RosterUploadForm(forms.Form):
    kind = forms.ChoiceField(
        label="What is in the file?",
        choices=RosterKind.choices,
        widget=forms.RadioSelect,
        help_text="Import pupils first: contacts are linked to pupils by their UPN.",
    )
    file = forms.FileField(
        label="CSV file exported from your MIS (SIMS, Arbor, Bromcom…)",
        help_text="Up to 5 MB. Nothing changes until you have read the check and confirmed.",
    )


class ColumnChoiceForm(forms.Form):
    """One select per heading the portal did not recognise."""

    def __init__(self, *args, headings, fields, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "Ignore this column"), *[(f.name, f.label) for f in fields]]
        self.headings = {}
        for i, heading in enumerate(headings):
            name = f"column_{i}"
            self.fields[name] = forms.ChoiceField(label=f"“{heading}”", choices=choices, required=False)
            self.headings[name] = heading

    def choices(self) -> dict[str, str]:
        return {self.headings[name]: value for name, value in self.cleaned_data.items()}


class RosterApplyForm(forms.Form):
    invite = forms.BooleanField(
        label="Email an invitation to each new parent or member of staff",
        required=False,
        help_text="Sent in batches after the import; you can watch the progress here.",
    )
    # Only when the file would mark an unusual share as leaving (roster/guard.py): the
    # tick names the number, and the number ticked for is sent back and checked, so a
    # tick given for 207 leavers never applies a file that now means 208.
    confirm_leavers = forms.BooleanField(label="I understand they will be marked as leaving", required=False)
    leavers = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    def __init__(self, *args, warning=None, reading=False, **kwargs):
        """`warning`: the page's LeavingWarning, if any; `reading`: the posted form,
        whose tick and number (if sent) the service checks against the plan."""
        kwargs.setdefault("label_suffix", "")  # the checkbox labels read as sentences
        super().__init__(*args, **kwargs)
        if warning is None and not reading:
            del self.fields["confirm_leavers"], self.fields["leavers"]
        elif warning is not None:
            self.fields["confirm_leavers"].label = warning.confirmation
            self.fields["leavers"].initial = warning.leaving

    def confirmed_leavers(self) -> int | None:
        """The number of leavers the person ticked for, or None if they did not tick."""
        if self.cleaned_data.get("confirm_leavers"):
            return self.cleaned_data.get("leavers")
        return None
