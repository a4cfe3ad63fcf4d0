from django import forms


class SignForm(forms.Form):
    """Tick each statement, type your full name, and optionally draw a signature."""

    typed_name = forms.CharField(label="Type your full name", max_length=200)
    drawn_signature = forms.CharField(required=False, widget=forms.HiddenInput)
    submission_key = forms.CharField(widget=forms.HiddenInput)

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

    def agreed_numbers(self) -> list[int]:
        return [
            int(name.split("_")[1])
            for name, value in self.cleaned_data.items()
            if name.startswith("statement_") and value
        ]
