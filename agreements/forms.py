from django import forms
from django.core.exceptions import ValidationError

from .services import MAX_DRAWN_SIGNATURE_BYTES, _check_drawn_signature


class SignForm(forms.Form):
    """Tick each statement, type your full name, and optionally draw a signature."""

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
        self.agreement = form
        for statement in form.statements.all():
            self.fields[f"statement_{statement.number}"] = forms.BooleanField(
                label=f"{statement.number}. {statement.text}",
                required=True,
                error_messages={"required": "Tick this statement to agree to it."},
            )

    def statement_fields(self):
        return [self[name] for name in self.fields if name.startswith("statement_")]

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

    def agreed_numbers(self) -> list[int]:
        return [
            int(name.split("_")[1])
            for name, value in self.cleaned_data.items()
            if name.startswith("statement_") and value
        ]
