"""Input for the policy pages: what the head types, and the messages they see."""

import re
import zipfile

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone

from core.dates import DateField
from core.form_renderer import phrase
from schools.models import Membership, StaffType, TrustMembership

from .models import Audience, PolicyKind, PolicyVersion

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024


class PolicyCreateForm(forms.Form):
    title = forms.CharField(max_length=200, help_text="For example: ICT acceptable use policy.")
    kind = forms.ChoiceField(label="Kind of policy", choices=PolicyKind.choices)
    audiences = forms.MultipleChoiceField(
        label="Who signs an agreement form",
        choices=Audience.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        initial=[Audience.STAFF],
        help_text="Each gets a starting form in the portal's words; change the wording before approval.",
    )


def _looks_like_pdf(head: bytes) -> bool:
    return head.startswith(b"%PDF-")


def _looks_like_docx(upload) -> bool:
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            return "word/document.xml" in archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    finally:
        upload.seek(0)


def check_document(upload):
    """A PDF or Word (.docx) document, judged by what is inside it, not by its name."""
    if upload.size > MAX_DOCUMENT_BYTES:
        raise forms.ValidationError("The document is larger than 10 MB. Save a smaller copy and upload that.")
    name = upload.name.lower()
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if name.endswith(".pdf"):
        if not _looks_like_pdf(head):
            raise forms.ValidationError("This file is called .pdf but is not a PDF document.")
    elif name.endswith(".docx"):
        if not _looks_like_docx(upload):
            raise forms.ValidationError("This file is called .docx but is not a Word document.")
    else:
        raise forms.ValidationError("Upload the policy as a PDF (.pdf) or Word (.docx) document.")
    return upload


def responsible_people(school):
    """Current staff of the school (anyone with a role other than parent)."""
    staff_ids = Membership.objects.filter(school=school).current().staff().values("user_id")
    return get_user_model().objects.filter(pk__in=staff_ids).order_by("last_name", "first_name")


def trust_people(trust):
    """The trust's current officers: who may be responsible for a trust's policy."""
    officer_ids = TrustMembership.objects.active().filter(trust=trust).values("user_id")
    return get_user_model().objects.filter(pk__in=officer_ids).order_by("last_name", "first_name")


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        return user.full_name


class VersionForm(forms.Form):
    """A draft version's details, text and document."""

    adopted_on = DateField(label="Adopted on", error_name="The date adopted", required=False)
    reviewed_on = DateField(label="Last reviewed on", error_name="The date last reviewed", required=False)
    next_review_on = DateField(label="Next review due on", error_name="The next review date", required=False)
    review_every_years = forms.TypedChoiceField(
        label="Review",
        coerce=int,
        choices=PolicyVersion._meta.get_field("review_every_years").choices,
        error_messages={"required": "Choose how often the policy is reviewed"},
    )
    responsible = PersonChoiceField(
        label="Person responsible", queryset=None, required=False, empty_label="Choose a member of staff…"
    )
    statutory = forms.BooleanField(label="Statutory policy", required=False)
    body = forms.CharField(
        label="Policy text",
        required=False,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=(
            "Write the policy here, or upload the document below (or both). People read it before they sign. "
            "Headings: start a line with ## (or number it, as in “1. Introduction” or “4.1 Exceptions”). "
            "Bullet points: start a line with - or ·. Every other line is a paragraph."
        ),
    )
    summary = forms.CharField(
        label="Short summary",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=(
            "A few sentences people read before they sign: what the policy is for and what it asks of them. "
            "Needed when the policy is an uploaded document."
        ),
    )
    document = forms.FileField(
        label="Policy document",
        required=False,
        help_text="A PDF or Word (.docx) file, up to 10 MB. A new upload replaces the current one.",
        widget=forms.FileInput(attrs={"accept": ".pdf,.docx"}),
    )

    FIELDS = (
        "adopted_on",
        "reviewed_on",
        "next_review_on",
        "review_every_years",
        "responsible",
        "statutory",
        "body",
        "summary",
    )

    def __init__(self, *args, school=None, trust=None, **kwargs):
        """For a school's version (`school`) or a trust's (`trust`): the person
        responsible is one of its staff, or one of the trust's officers."""
        super().__init__(*args, **kwargs)
        self.fields["responsible"].queryset = responsible_people(school) if school else trust_people(trust)
        if trust is not None:
            self.fields["responsible"].empty_label = "Choose a trust officer…"

    @classmethod
    def initial_for(cls, version):
        initial = {name: getattr(version, name) for name in cls.FIELDS}
        initial["responsible"] = version.responsible_id
        return initial

    def clean_document(self):
        upload = self.cleaned_data.get("document")
        if not upload:  # nothing new uploaded: the current document is kept
            return None
        return check_document(upload)

    def version_fields(self) -> dict:
        """The keyword arguments for aup.services.update_version."""
        fields = {name: self.cleaned_data[name] for name in self.FIELDS}
        upload = self.cleaned_data.get("document")
        if upload:
            fields["document"] = upload
            fields["document_name"] = upload.name[:255]
        return fields


_LEADING_MARK = re.compile(r"^(?:[-*•·]|\d{1,3}[.)])\s+")


def parse_statements(text: str) -> list[tuple[str, list[str]]]:
    """The statements box, read as sections: (heading, statements). A line starting
    with "##" starts a section with the rest of the line as its heading ("##" alone:
    a section without a heading); every other line is a statement of the section it
    is in. A bullet mark or a number at the start of a line is dropped (statements
    are numbered through the form); blank lines are ignored."""
    sections: list[tuple[str, list[str]]] = []
    for raw in text.splitlines():
        line = " ".join(raw.split())
        if not line:
            continue
        if line == "##" or line.startswith("## "):
            sections.append((line[2:].strip(), []))
            continue
        line = _LEADING_MARK.sub("", line)
        if not line:
            continue
        if not sections:
            sections.append(("", []))
        sections[-1][1].append(line)
    return sections


def format_statements(sections) -> str:
    """The statements box for `sections` (heading, statements): parse_statements'
    inverse."""
    lines = []
    for i, (heading, statements) in enumerate(sections):
        if heading:
            lines.append(f"## {heading}")
        elif i:
            lines.append("##")
        lines += statements
    return "\n\n".join(lines)


class AgreementFormForm(forms.Form):
    """One audience's form: a short text and numbered statements, in sections."""

    title = forms.CharField(max_length=200)
    intro = forms.CharField(
        label="Introduction", required=False, widget=forms.Textarea(attrs={"rows": 3}), help_text="Optional."
    )
    statements = forms.CharField(
        label="Sections and statements",
        widget=forms.Textarea(attrs={"rows": 16}),
        help_text=(
            "One statement per line; they are numbered through the form in this order. To put statements in a "
            "section, start a line with ## and the section's heading, for example “## I will not:”: the lines "
            "below it are its statements. A line with ## alone starts a section without a heading. People tick "
            "once for each section. Blank lines, bullet marks and numbers at the start of a line are ignored."
        ),
    )
    every_academic_year = forms.BooleanField(
        label="Sign again every academic year",
        required=False,
        help_text="From 1 September, for example pupils' ICT contract.",
    )
    parent_countersigns = forms.BooleanField(
        label="A parent or carer countersigns",
        required=False,
        help_text="After a pupil signs, a parent or carer is asked to countersign from their family page; "
        "both signatures go on one signed PDF, and the pupil counts as signed once both are there.",
    )
    staff_types = forms.MultipleChoiceField(
        label="Which staff sign",
        choices=StaffType.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Tick none for everyone on the staff list.",
    )

    def __init__(self, *args, audience, **kwargs):
        super().__init__(*args, **kwargs)
        if audience != Audience.STAFF:
            del self.fields["staff_types"]
        if audience != Audience.KS2:
            del self.fields["parent_countersigns"]

    @staticmethod
    def initial_for(form):
        return {
            "title": form.title,
            "intro": form.intro,
            "statements": format_statements(
                [(group.heading, [s.text for s in group.statements]) for group in form.statement_groups()]
            ),
            "every_academic_year": form.every_academic_year,
            "parent_countersigns": form.parent_countersigns,
            "staff_types": form.staff_types,
        }

    def form_fields(self) -> dict:
        """The keyword arguments for aup.services.save_form."""
        data = self.cleaned_data
        return {
            "title": data["title"],
            "intro": data["intro"],
            "sections": parse_statements(data["statements"]),
            "every_academic_year": data["every_academic_year"],
            "staff_types": data.get("staff_types") or [],
            "parent_countersigns": bool(data.get("parent_countersigns")),
        }


class ChangeForm(forms.Form):
    date = DateField(label="Date of the change", error_messages={"required": "Enter the date of the change"})
    section = forms.CharField(label="Page or section", max_length=100)
    change = forms.CharField(label="Details of the change", widget=forms.Textarea(attrs={"rows": 3}))
    agreed_by = forms.CharField(
        label="Agreed by", max_length=200, error_messages={"required": "Enter who agreed the change"}
    )


class ApproveForm(forms.Form):
    """The approval as seed 001 records it: the chair and the head each sign with
    their own date, and the version is agreed at a governing body meeting on a date."""

    chair = forms.CharField(label="Chair of governors", max_length=200)
    chair_signed_on = DateField(label="Date the chair of governors signed")
    head = forms.CharField(label="Headteacher", max_length=200)
    head_signed_on = DateField(label="Date the headteacher signed")
    approved_on = DateField(
        label="Agreed at the governing body meeting on",
        error_name="The date of the meeting",
        error_messages={"required": "Enter the date of the meeting that agreed the policy"},
    )

    # A trust's policy is approved by its board of trustees, for all its schools.
    TRUST_LABELS = {
        "chair": "Chair of trustees",
        "chair_signed_on": "Date the chair of trustees signed",
        "head": "Chief executive",
        "head_signed_on": "Date the chief executive signed",
        "approved_on": "Agreed at the trust board meeting on",
    }

    def __init__(self, *args, for_trust=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.for_trust = for_trust
        if for_trust:
            for name, label in self.TRUST_LABELS.items():
                self.fields[name].label = label
        for name in ("chair", "head"):
            self.fields[name].error_messages["required"] = f"Enter the name of the {phrase(self.fields[name].label)}"

    def _not_in_the_future(self, name: str, message: str):
        day = self.cleaned_data[name]
        if day > timezone.localdate():
            raise forms.ValidationError(message)
        return day

    def clean_approved_on(self):
        body = "trust board" if self.for_trust else "governing body"
        return self._not_in_the_future("approved_on", f"The {body} meeting cannot be in the future.")

    def clean_chair_signed_on(self):
        who = "chair of trustees" if self.for_trust else "chair of governors"
        return self._not_in_the_future("chair_signed_on", f"The date the {who} signed cannot be in the future.")

    def clean_head_signed_on(self):
        who = "chief executive" if self.for_trust else "headteacher"
        return self._not_in_the_future("head_signed_on", f"The date the {who} signed cannot be in the future.")
