"""The countersigning form: a typed name and a tick, as on every signing page."""

from __future__ import annotations

import datetime

from django import forms
from django.core import signing
from django.utils import timezone

_SALT = "agreements.countersign-presented"
_MAX_AGE = 2 * 24 * 60 * 60


def presented_token(signature_id: int) -> str:
    """When the page showing what was signed was served (server time), signed."""
    return signing.dumps({"signature": signature_id, "at": timezone.now().timestamp()}, salt=_SALT)


def presented_at(token: str, signature_id: int):
    try:
        data = signing.loads(token or "", salt=_SALT, max_age=_MAX_AGE)
        if data.get("signature") != signature_id:
            return None
        return datetime.datetime.fromtimestamp(float(data["at"]), tz=datetime.UTC)
    except (signing.BadSignature, KeyError, TypeError, ValueError, OverflowError):
        return None


class CountersignForm(forms.Form):
    confirm = forms.BooleanField(
        error_messages={"required": "Tick to confirm you have read what was agreed and countersign it."},
    )
    typed_name = forms.CharField(
        label="Your full name",
        max_length=200,
        error_messages={"required": "Type your full name to countersign."},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    presented = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, confirm_label: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["confirm"].label = confirm_label
