"""Reminder settings, the log's filters and a person's preference: parsing and the
messages people see."""

import re

from django import forms

from core.dates import DateField, TimeField

from .models import ReminderEmail, ReminderItem, ReminderPreference


class ReminderSettingsForm(forms.Form):
    cadence_days = forms.CharField(
        label="Remind people this many days after something becomes due",
        help_text="Whole numbers of days, smallest first, separated by commas: for example 3, 7, 14.",
        required=False,
        max_length=60,
    )
    then_every_days = forms.IntegerField(
        label="Then remind them every",
        help_text="Number of days (for example 7 for weekly), or 0 to stop after the reminders above.",
        min_value=0,
        max_value=90,
        error_messages={
            "required": "Enter a number of days, or 0 to stop after the reminders above.",
            "invalid": "Enter a whole number of days, for example 7.",
            "min_value": "Enter 0 or more days.",
            "max_value": "Choose at most 90 days.",
        },
    )
    quiet_from = TimeField(
        label="Quiet from",
        error_name="The time quiet hours start",
        help_text="No reminder emails from this time (UK time, 24-hour clock). For example, 19:00",
        show_hint=False,
        error_messages={"required": "Enter the time quiet hours start"},
    )
    quiet_until = TimeField(
        label="Until",
        error_name="The time quiet hours end",
        help_text="Reminder emails go again from this time the next morning. For example, 07:00",
        show_hint=False,
        error_messages={"required": "Enter the time quiet hours end"},
    )
    quiet_at_weekends = forms.BooleanField(label="No reminder emails at weekends", required=False)

    def clean_cadence_days(self) -> list[int]:
        raw = self.cleaned_data["cadence_days"].strip()
        if not raw:
            return []
        parts = [p for p in re.split(r"[,\s]+", raw) if p]
        if not all(p.isdigit() for p in parts):
            raise forms.ValidationError("Write whole numbers of days separated by commas, for example 3, 7, 14.")
        return [int(p) for p in parts]

    @classmethod
    def initial_from(cls, rules) -> dict:
        return {
            "cadence_days": ", ".join(str(d) for d in rules.cadence_days),
            "then_every_days": rules.then_every_days,
            "quiet_from": rules.quiet_from,
            "quiet_until": rules.quiet_until,
            "quiet_at_weekends": rules.quiet_at_weekends,
        }


class LogFilterForm(forms.Form):
    state = forms.ChoiceField(label="Email", required=False, choices=[("", "Any state"), *ReminderEmail.State.choices])
    kind = forms.ChoiceField(label="About", required=False, choices=[("", "Anything"), *ReminderItem.Kind.choices])
    due_from = DateField(label="Due from", error_name="The first due date", required=False, show_hint=False)
    due_to = DateField(label="Due until", error_name="The last due date", required=False, show_hint=False)

    def clean(self):
        data = super().clean()
        if data.get("due_from") and data.get("due_to") and data["due_to"] < data["due_from"]:
            self.add_error("due_to", "The end date is before the start date.")
        return data


class PreferenceForm(forms.Form):
    frequency = forms.ChoiceField(
        label="Summaries, policy reviews and other reminders you may turn off",
        choices=ReminderPreference.Frequency.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how often you want to hear about these."},
    )
