from django import forms
from django.contrib.auth import password_validation


class SetPasswordForm(forms.Form):
    password1 = forms.CharField(
        label="Choose a password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 10 characters. A short sentence is easy to remember and hard to guess.",
    )
    password2 = forms.CharField(
        label="Type the password again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password2(self):
        p1, p2 = self.cleaned_data.get("password1"), self.cleaned_data.get("password2")
        if p1 and p2 and p1 != p2:
            raise forms.ValidationError("The two passwords are different.")
        return p2

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("password1") and not self.errors:
            try:
                password_validation.validate_password(cleaned["password1"], self.user)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned
