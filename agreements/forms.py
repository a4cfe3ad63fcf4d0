import datetime

from django import forms
from django.core import signing
from django.core.exceptions import ValidationError
from django.utils import timezone

from .services import MAX_DRAWN_SIGNATURE_BYTES, _check_drawn_signature

# The policy on a signing page: a token the server signs when it serves the page
# (the form and the moment), so the time the policy was presented is the server's,
# never the browser's. It is good for as long as someone may keep a page open.
_POLICY_SALT = "agreements.policy-presented"
POLICY_TOKEN_MAX_AGE = 2 * 24 * 60 * 60
# The browser's clock is not trusted: the page reports how many milliseconds after it
# loaded the person opened the policy, added to the server's time. A little slack for
# the time the page takes to arrive.
_OPENED_SLACK = datetime.timedelta(seconds=5)


def policy_token(form_id: int, now=None) -> str:
    moment = now or timezone.now()
    return signing.dumps({"form": form_id, "at": moment.timestamp()}, salt=_POLICY_SALT)


def policy_times(token: str, opened_after_ms, form_id: int, now=None) -> tuple:
    """(presented at, opened at) from a signing page's hidden fields, or None for
    what they can't show: no token, a token of another form or too old, no opening."""
    now = now or timezone.now()
    try:
        data = signing.loads(token or "", salt=_POLICY_SALT, max_age=POLICY_TOKEN_MAX_AGE)
        presented = datetime.datetime.fromtimestamp(float(data["at"]), tz=datetime.UTC)
    except (signing.BadSignature, KeyError, TypeError, ValueError, OverflowError):
        return None, None
    too_old = now - datetime.timedelta(seconds=POLICY_TOKEN_MAX_AGE)
    if data.get("form") != form_id or not too_old <= presented <= now + _OPENED_SLACK:
        return None, None
    opened = None
    if str(opened_after_ms or "").isdigit():
        moment = presented + datetime.timedelta(milliseconds=int(opened_after_ms))
        if moment <= now + _OPENED_SLACK:
            opened = min(moment, now)
    return presented, opened


class AgreementFields:
    """What every signing form shares (staff, parents, visitors, pupils): one tick for
    each section of the form, with its statements listed above it (a form without
    sections: one tick for all of them), and the hidden fields that record when the
    policy was presented and opened."""

    tick_noun = "statements"

    def add_agreement_fields(self, agreement):
        self.agreement = agreement
        self.groups = agreement.statement_groups()
        for i, group in enumerate(self.groups, start=1):
            noun = self.tick_noun if len(group.statements) > 1 else self.tick_noun[:-1]
            self.fields[f"section_{i}"] = forms.BooleanField(
                label=f"I agree to {noun} {group.range_label}",
                required=True,
                error_messages={"required": f"Tick to agree to {noun} {group.range_label}."},
            )
        self.fields["policy_presented"] = forms.CharField(
            required=False, widget=forms.HiddenInput, initial=policy_token(agreement.pk)
        )
        self.fields["policy_opened_after"] = forms.CharField(
            required=False, max_length=12, widget=forms.HiddenInput(attrs={"data-policy-opened": ""})
        )

    def agreement_groups(self):
        """(group, its tick) for each section, in order, for the template."""
        return [(group, self[f"section_{i}"]) for i, group in enumerate(self.groups, start=1)]

    def agreed_numbers(self) -> list[int]:
        """Every statement of each section ticked: the record lists every statement."""
        return [
            number
            for i, group in enumerate(self.groups, start=1)
            if self.cleaned_data.get(f"section_{i}")
            for number in group.numbers
        ]

    def policy_times(self) -> tuple:
        """(presented at, opened at) for services.sign."""
        data = self.cleaned_data
        return policy_times(data.get("policy_presented"), data.get("policy_opened_after"), self.agreement.pk)


class SignForm(AgreementFields, forms.Form):
    """Tick each section, type your full name, and optionally draw a signature."""

    typed_name = forms.CharField(
        label="Type your full name",
        max_length=200,
        help_text="Typing your name is your signature.",
        error_messages={"required": "Type your full name to sign."},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    # A PNG data URL written by static/js/sign.js; base64 makes it about 4/3 the size.
    drawn_signature = forms.CharField(
        required=False, max_length=MAX_DRAWN_SIGNATURE_BYTES * 4 // 3 + 100, widget=forms.HiddenInput
    )
    submission_key = forms.CharField(max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args, form, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.add_agreement_fields(form)

    def clean_typed_name(self):
        name = " ".join(self.cleaned_data["typed_name"].split())
        if len(name) < 2:
            raise ValidationError("Type your full name to sign.")
        return name

    def clean_drawn_signature(self):
        data_url = self.cleaned_data["drawn_signature"]
        try:
            return _check_drawn_signature(data_url)
        except ValidationError:
            raise ValidationError("The drawn signature could not be read. Clear it and draw it again.") from None
