"""How every form in the portal renders and words its errors (settings.FORM_RENDERER).

Django's defaults show through in three places, and this module removes them for every
form at once, without each form having to remember:

- "This field is required." becomes a message that says what to do: "Enter the date the
  device was returned", "Choose the device type", "Select at least one pupil". A form
  that sets its own required message keeps it.
- Labels have no colon after them.
- A drop-down's empty choice reads "Choose a class" rather than "---------".

It also gives each bound field `error_target_id`, the id the error summary links to:
the box itself, the first radio or checkbox of a group, or the Day box of a date.
Field errors render as GOV.UK error messages (templates/django/forms/errors/list/ul.html)
with a visually hidden "Error:" before each, and Django links them to the box with
aria-describedby.
"""

from django import forms
from django.forms.boundfield import BoundField
from django.forms.renderers import TemplatesSetting
from django.forms.utils import flatatt
from django.utils.html import format_html

from .dates import DateField, DateInput, TimeField

DJANGO_REQUIRED = str(forms.Field.default_error_messages["required"])
DJANGO_EMPTY_LABEL = "---------"
# Words after which "the" would be wrong: "Enter your name", "Enter what happened".
_NO_ARTICLE = {
    "a",
    "an",
    "the",
    "your",
    "their",
    "his",
    "her",
    "its",
    "our",
    "this",
    "these",
    "those",
    "any",
    "each",
    "what",
    "which",
    "who",
    "whom",
    "whose",
    "when",
    "where",
    "why",
    "how",
    "whether",
    "if",
}


def phrase(label) -> str:
    """A label as it reads inside a sentence: first letter lower case unless it is an
    acronym ("UPN", "ICT"), no trailing colon or question mark."""
    text = str(label or "").strip().rstrip(":?").strip()
    if not text:
        return text
    first = text.split()[0]
    if len(first) > 1 and (first[1].isupper() or first.isupper()):
        return text
    return text[0].lower() + text[1:]


def _object(label, article="the") -> str:
    text = phrase(label)
    first = text.split()[0].lower() if text else ""
    if not text:
        return "an answer"
    return text if first in _NO_ARTICLE else f"{article} {text}"


def _is_choice(field) -> bool:
    return isinstance(field, (forms.ChoiceField, forms.ModelChoiceField)) or isinstance(
        field.widget, (forms.Select, forms.RadioSelect)
    )


def required_message(field, label) -> str:
    """What to do when `field` is left empty, from its kind and its label."""
    if isinstance(field, forms.BooleanField):
        return f"Select “{str(label).strip()}” to carry on" if label else "Select the box to carry on"
    if isinstance(field, (forms.MultipleChoiceField, forms.ModelMultipleChoiceField)):
        return f"Select at least one: {phrase(label)}" if label else "Select at least one"
    if isinstance(field, forms.FileField):
        short = label and len(str(label).split()) <= 5
        return f"Choose {_object(label, 'a')} to upload" if short else "Choose a file to upload"
    if _is_choice(field):
        return f"Choose {_object(label)}"
    return f"Enter {_object(label)}"


def empty_choice_label(label) -> str:
    """The drop-down's first, empty choice: "Choose a class", "Choose the policy"."""
    text = phrase(label)
    first = text.split()[0].lower() if text else ""
    if not text or first in _NO_ARTICLE:
        return "Choose one"
    article = "an" if text[0].lower() in "aeiou" else "a"
    return f"Choose {article} {text}"


class PortalBoundField(BoundField):
    def __init__(self, form, field, name):
        super().__init__(form, field, name)
        # Each form holds deep copies of its fields, so these edits stay in this form.
        if str(field.error_messages.get("required")) == DJANGO_REQUIRED:
            field.error_messages["required"] = required_message(field, self.label)
        self._replace_dashes(field)

    def _replace_dashes(self, field):
        if isinstance(field, forms.ModelChoiceField) and field.empty_label == DJANGO_EMPTY_LABEL:
            field.empty_label = empty_choice_label(self.label)
        elif isinstance(field, forms.ChoiceField) and not isinstance(field, forms.ModelChoiceField):
            choices = list(field.choices)
            if any(value == "" and text == DJANGO_EMPTY_LABEL for value, text in choices):
                field.choices = [
                    (value, empty_choice_label(self.label) if value == "" and text == DJANGO_EMPTY_LABEL else text)
                    for value, text in choices
                ]

    def label_tag(self, contents=None, attrs=None, label_suffix="", tag=None):
        return super().label_tag(contents, attrs, label_suffix=label_suffix, tag=tag)

    def legend_tag(self, contents=None, attrs=None, label_suffix=""):
        # Django gives the legend a `for`, which a legend may not have.
        return format_html("<legend{}>{}</legend>", flatatt(attrs or {}), contents or self.label)

    @property
    def error_target_id(self) -> str:
        """The id of the box the error summary links to ("" for a hidden field)."""
        if self.is_hidden or not self.auto_id:
            return ""
        widget = self.field.widget
        own_id = widget.attrs.get("id") or self.auto_id
        if isinstance(widget, DateInput):
            return widget.id_for_label(own_id)
        if isinstance(widget, (forms.RadioSelect, forms.CheckboxSelectMultiple)):
            return f"{own_id}_0"
        if isinstance(widget, forms.MultiWidget):
            return f"{own_id}_0"
        return widget.id_for_label(own_id) or own_id


class PortalRenderer(TemplatesSetting):
    """Templates come from settings.TEMPLATES, so templates/django/forms/... overrides
    Django's own (the error message markup)."""

    bound_field_class = PortalBoundField


__all__ = ["PortalRenderer", "PortalBoundField", "DateField", "TimeField", "required_message", "phrase"]
