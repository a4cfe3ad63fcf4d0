from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from aup.pickers import StatementPicker
from core.dates import DateField, DateTimeField
from core.picker import PickerField, PickerFormMixin
from core.roles import Cap, roles_with
from schools.models import Membership, Pupil
from schools.pickers import PupilPicker, StaffPicker
from schools.selectors import pupils_visible_to, sees_all_pupils

from . import services
from .models import MISUSE_FACTORS, Category, ICODecision, MisuseClass, ReferredTo, Severity, Status

EVIDENCE_ACCEPT = ".png,.jpg,.jpeg,.pdf,image/png,image/jpeg,application/pdf"


def when_field(label, *, error_name, required=True, help_text=""):
    """A GOV.UK date input with a time box (core.dates), in Europe/London time."""
    return DateTimeField(label=label, error_name=error_name, required=required, help_text=help_text)


def now_for_input():
    return timezone.localtime().replace(second=0, microsecond=0)


def _label_pupil(p):
    return f"{p.last_name}, {p.first_name}" + (f" ({p.school_class.name})" if p.school_class else "")


class EvidenceFields(forms.Form):
    evidence = forms.FileField(
        label="Screenshot or file (optional)",
        help_text="A PNG or JPEG screenshot or photo, or a PDF, 10 MB at most. You can add more later.",
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": EVIDENCE_ACCEPT}),
        error_messages={"empty": services.EVIDENCE_REFUSED},
    )
    taken_at = when_field(
        "When the screenshot was taken",
        error_name="The date and time the screenshot was taken",
        required=False,
        help_text="The date and time shown on the screenshot.",
    )
    evidence_description = forms.CharField(label="What the file shows (optional)", max_length=300, required=False)

    def clean_evidence(self):
        upload = self.cleaned_data.get("evidence")
        if upload:
            try:
                services.evidence_kind(upload)
            except ValidationError:
                raise ValidationError(services.EVIDENCE_REFUSED) from None
        return upload or None

    def clean(self):
        data = super().clean()
        if data.get("taken_at") and not data.get("evidence") and "evidence" not in self.errors:
            self.add_error("evidence", "Attach the screenshot, or clear the time it was taken.")
        return data


class ReportForm(PickerFormMixin, EvidenceFields):
    category = forms.ChoiceField(
        label="What kind of incident",
        choices=[("", "Choose the kind of incident"), *Category.choices],
        error_messages={"required": "Choose the kind of incident."},
    )
    occurred_at = when_field(
        "When it happened", error_name="The date and time it happened", help_text="Leave as now if it is happening now."
    )
    location = forms.CharField(
        label="Where (optional)", max_length=200, required=False, help_text="For example: Year 5 classroom, ICT suite."
    )
    description = forms.CharField(
        label="What happened",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Say what you saw or were told, in plain words. Do not investigate yourself.",
        error_messages={"required": "Say what happened."},
    )
    pupils = PickerField(
        kind=PupilPicker(),
        multiple=True,
        label="Pupils involved (optional)",
        required=False,
        help_text="Type part of a name and choose from the list. Add as many as you need.",
    )
    staff = PickerField(
        kind=StaffPicker(),
        multiple=True,
        label="Staff involved (optional)",
        required=False,
        help_text="Type part of a name and choose from the list.",
    )
    others_involved = forms.CharField(
        label="Anyone else involved (optional)",
        max_length=500,
        required=False,
        help_text="For example a parent, a visitor or someone outside school.",
    )
    immediate_action = forms.CharField(
        label="What was done straight away (optional)",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="For example: screen turned off, device taken, pupil moved away.",
    )
    personal_data_breach = forms.BooleanField(
        label="Personal data may have been lost, stolen or sent to the wrong person",
        required=False,
        help_text="This starts the 72-hour clock for deciding whether to tell the ICO.",
    )
    submission_key = forms.CharField(max_length=64, widget=forms.HiddenInput)

    field_order = [
        "category",
        "occurred_at",
        "location",
        "description",
        "pupils",
        "staff",
        "others_involved",
        "immediate_action",
        "personal_data_breach",
        "evidence",
        "taken_at",
        "evidence_description",
    ]

    def __init__(self, *args, access, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, access=access, **kwargs)
        # Anyone on the staff reports, but a school-wide list of pupils' names is not
        # for everyone who may report (a teacher, a volunteer, a visitor): they pick
        # from the pupils they may see (a teacher's own classes) and name any other
        # pupil in words; the DSL links those pupils when triaging.
        if not sees_all_pupils(access):
            if pupils_visible_to(access).exists():
                self.fields["pupils"].help_text = f"The pupils of your classes. {self.fields['pupils'].help_text}"
                self._name_other_pupils("Other pupils and anyone else involved (optional)", "Pupils of other classes")
            else:
                del self.fields["pupils"]
                self._name_other_pupils("Pupils and anyone else involved (optional)", "Pupils")

    def _name_other_pupils(self, label, whom):
        field = self.fields["others_involved"]
        field.label = label
        field.help_text = (
            f"{whom}: write each one's name and class, and the DSL links them to your report. "
            "Also anyone else, for example a parent, a visitor or someone outside school."
        )

    def clean_occurred_at(self):
        moment = self.cleaned_data["occurred_at"]
        if moment > timezone.now() + services._CLOCK_SKEW:
            raise ValidationError("The time it happened cannot be in the future.")
        return moment


class AddToReportForm(EvidenceFields):
    text = forms.CharField(
        label="What you want to add",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="What you filed stays as it was; this is added below it.",
    )
    field_order = ["text", "evidence", "taken_at", "evidence_description"]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        if not (data.get("text") or "").strip() and not data.get("evidence") and not self.errors:
            self.add_error("text", "Write what you want to add, or attach a file.")
        return data


class InvestigatorEvidenceForm(EvidenceFields):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["evidence"].required = True
        self.fields["evidence"].label = "File"
        self.fields["evidence"].error_messages["required"] = "Choose the file to add."
        self.fields["evidence_description"].label = "What the file shows"


class TriageForm(PickerFormMixin, forms.Form):
    severity = forms.ChoiceField(
        label="How serious",
        choices=[("", "Choose"), *Severity.choices],
        error_messages={"required": "Choose how serious it is."},
    )
    safeguarding = forms.BooleanField(
        label="This is a safeguarding matter",
        required=False,
        help_text="Then only the DSL and the headteacher can see it.",
    )
    category = forms.ChoiceField(label="Kind of incident", choices=Category.choices)
    investigator = forms.ModelChoiceField(
        label="Who investigates",
        queryset=Membership.objects.none(),
        required=False,
        empty_label="Nobody yet",
        help_text="Only people authorised to investigate are listed.",
    )
    personal_data_breach = forms.BooleanField(
        label="Personal data breach",
        required=False,
        help_text="Starts the 72-hour clock from when it was reported.",
    )
    # A pupil who has left stays acceptable once linked: saving the triage must not
    # drop them from the record.
    pupils = PickerField(
        kind=PupilPicker(include_leavers=True),
        multiple=True,
        label="Pupils involved",
        required=False,
        help_text="Type part of a name and choose from the list. Each pupil is taken off only by their Remove button.",
    )
    staff = PickerField(kind=StaffPicker(), multiple=True, label="Staff involved", required=False)
    breached_statements = PickerField(
        kind=StatementPicker(),
        multiple=True,
        label="Policy statements breached (optional)",
        required=False,
        help_text="Type words from the statement or the policy's title.",
    )
    confirm_unlink = forms.BooleanField(
        label="Yes, take the pupils I removed off this safeguarding record",
        required=False,
    )
    note = forms.CharField(label="Note (optional)", widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, access, incident=None, **kwargs):
        kwargs.setdefault("label_suffix", "")
        kwargs.setdefault("prefix", "triage")
        super().__init__(*args, access=access, **kwargs)
        self.incident = incident
        school = access.school
        # Asked only when it matters: a safeguarding record's pupils are being taken off.
        if not (self.is_bound and incident is not None and incident.safeguarding):
            del self.fields["confirm_unlink"]
        self.fields["investigator"].queryset = (
            Membership.objects.active()
            .with_role(*roles_with(Cap.INVESTIGATE_INCIDENTS))
            .filter(school=school)
            .select_related("user")
            .order_by("user__last_name")
        )
        self.fields["investigator"].label_from_instance = lambda m: (
            f"{m.user.full_name}" + (f" ({m.job_title})" if m.job_title else "")
        )

    def clean(self):
        data = super().clean()
        incident = self.incident
        if incident is None or not incident.safeguarding or "pupils" in self.errors:
            return data
        chosen = {p.pk for p in data.get("pupils") or []}
        removed = [p for p in incident.pupils.order_by("last_name", "first_name") if p.pk not in chosen]
        if removed and not data.get("confirm_unlink"):
            names = ", ".join(p.full_name for p in removed)
            self.add_error(
                "pupils",
                f"{names} would be taken off this safeguarding record. Add them back, or tick "
                "“Yes, take the pupils I removed off this safeguarding record” and save again.",
            )
        return data


class EntryForm(forms.Form):
    kind = forms.ChoiceField(
        label="What are you recording",
        error_messages={"required": "Choose what you are recording"},
        choices=[
            ("note", "A note"),
            ("contact_with_parents", "Contact with parents or carers"),
            ("referral", "A referral"),
        ],
        widget=forms.RadioSelect,
        initial="note",
    )
    referred_to = forms.ChoiceField(
        label="Referred to (for a referral)", choices=[("", "Choose"), *ReferredTo.choices], required=False
    )
    reference_number = forms.CharField(label="Their reference number (for a referral)", max_length=100, required=False)
    text = forms.CharField(
        label="Details", widget=forms.Textarea(attrs={"rows": 3}), error_messages={"required": "Write the details."}
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        kwargs.setdefault("prefix", "entry")
        super().__init__(*args, **kwargs)


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        label="New status",
        choices=[(s.value, s.label) for s in (Status.TRIAGED, Status.INVESTIGATING, Status.AWAITING_REVIEW)],
    )
    note = forms.CharField(label="Note (optional)", max_length=1000, required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        kwargs.setdefault("prefix", "status")
        super().__init__(*args, **kwargs)


class ICODecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="Decision",
        choices=[(ICODecision.REPORTED.value, "Reported to the ICO"), (ICODecision.NOT_REPORTED.value, "Not reported")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether the breach was reported to the ICO."},
    )
    ico_reference = forms.CharField(label="ICO reference (if reported)", max_length=100, required=False)
    reason = forms.CharField(
        label="Reason",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Give the reason for the decision."},
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        kwargs.setdefault("prefix", "ico")
        super().__init__(*args, **kwargs)


class CloseForm(forms.Form):
    outcome = forms.CharField(
        label="Outcome",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What was decided and done. Closing signs the incident off in your name.",
        error_messages={"required": "Write the outcome: what was decided and done."},
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        kwargs.setdefault("prefix", "close")
        super().__init__(*args, **kwargs)


class LogFilterForm(PickerFormMixin, forms.Form):
    # A filter: searching for a pupil keeps the other filters working.
    pause_to_search = False

    category = forms.ChoiceField(label="Kind", choices=[("", "All kinds"), *Category.choices], required=False)
    status = forms.ChoiceField(
        label="Status", choices=[("", "Any status"), ("open", "Open"), *Status.choices], required=False
    )
    reported_from = DateField(label="Reported from", error_name="The first date", required=False, show_hint=False)
    reported_to = DateField(label="Reported to", error_name="The last date", required=False, show_hint=False)
    # Searched, not listed: a school's pupils do not fit in a drop-down.
    pupil = PickerField(kind=PupilPicker(include_leavers=True), label="Pupil", required=False, empty_label="Any pupil")

    def __init__(self, *args, access, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, access=access, **kwargs)


class MisuseForm(forms.Form):
    classification = forms.ChoiceField(
        label="How serious was the misuse",
        choices=MisuseClass.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how serious the misuse was."},
    )
    sanction = forms.CharField(
        label="Sanction or outcome decided",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Write the sanction or outcome decided."},
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        kwargs.setdefault("prefix", "misuse")
        super().__init__(*args, **kwargs)
        for key, label, question in MISUSE_FACTORS:
            self.fields[key] = forms.CharField(
                label=f"{label} (optional)",
                help_text=question,
                required=False,
                max_length=1000,
                widget=forms.Textarea(attrs={"rows": 2}),
            )


NEUTRAL_REASON = "Following a breach of the school's rules on using computers and the internet."


class IctWithdrawalForm(forms.Form):
    """A pupil outcome: ICT access withdrawn until a date, seen by the pupil's teachers."""

    pupil = forms.ModelChoiceField(
        label="Pupil",
        queryset=Pupil.objects.none(),
        empty_label=None,
        error_messages={"required": "Choose the pupil.", "invalid_choice": "Choose a pupil involved in this incident."},
    )
    until = DateField(
        label="Withdrawn until (the last day without access)",
        error_name="The last day without access",
        error_messages={"required": "Enter the last day without access"},
    )
    reason = forms.CharField(
        label="Reason shown to the pupil's teachers",
        max_length=200,
        initial=NEUTRAL_REASON,
        help_text="Teachers see this and the date, nothing else: use neutral words, no details of the incident.",
        error_messages={"required": "Write the reason teachers will see, in neutral words."},
    )
    note = forms.CharField(
        label="Note for the record (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Kept in the incident's chronology; teachers do not see it.",
    )

    def __init__(self, *args, incident, **kwargs):
        kwargs.setdefault("label_suffix", "")
        kwargs.setdefault("prefix", "ict")
        super().__init__(*args, **kwargs)
        self.fields["pupil"].queryset = incident.pupils.select_related("school_class").order_by(
            "last_name", "first_name"
        )
        self.fields["pupil"].label_from_instance = _label_pupil
