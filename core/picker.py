"""One type-ahead picker for people and things (pupils, staff, carers, devices, policy
statements), so no form asks anyone to scroll or Ctrl-click through a whole school.

A *kind* (a `PickerKind` subclass, one per thing, in each app's `pickers.py`) says
which rows a person may choose from, how a search matches, and how a row reads. The
`PickerField` validates the chosen ids against that school-scoped queryset; its widget
renders a form that works without JavaScript (a plain select for a short single
choice; otherwise the chosen items as ticked boxes, a search box and a "Search" button
that posts the form back with the matches to tick) plus the data attributes
static/js/picker.js reads to turn it into GOV.UK's accessible-autocomplete with
removable tags. The server sees the same POST either way: one `name=id` per choice.

`search_response` answers the JSON search endpoints: one page of matches, in a
fixed number of queries however large the school.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import ErrorDict
from django.http import JsonResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe

PAGE_SIZE = 20
# Up to this many rows, the whole list is rendered (no search needed without JavaScript).
SHORT_LIST = 25
# The button that posts a form back to search a picker instead of submitting it.
SEARCH_BUTTON = "picker_search"


def _terms(query: str) -> list[str]:
    return [t for t in (query or "").split() if t][:5]


class PickerKind:
    """What can be chosen, by whom, and how it reads. Subclasses set the names and
    override `queryset`, `match` and `label` (and `hint`, `group`, `exact`)."""

    name = ""  # "pupils": also the JSON endpoint's noun
    url_name = ""  # the search endpoint, taking the school's slug
    noun = "item"  # "pupil"
    plural = "items"  # "pupils"
    exact_help = ""  # what Enter looks up exactly, e.g. "asset tag or serial number"

    def queryset(self, access):
        """Every row the person may choose (validation and search both start here)."""
        raise NotImplementedError

    def searchable(self, access):
        """The rows a search offers: by default every row that may be chosen. A kind
        may offer less (current pupils only) while still accepting what was already
        chosen (a pupil who has left, on an old record)."""
        return self.queryset(access)

    def match(self, queryset, term: str):
        """`queryset` narrowed to rows matching one typed word."""
        raise NotImplementedError

    def exact(self, queryset, query: str):
        """Rows whose code is exactly `query` (a scanned asset tag); none by default."""
        return queryset.none()

    def order(self, queryset):
        return queryset

    def label(self, obj) -> str:
        return str(obj)

    def hint(self, obj) -> str:
        return ""

    def group(self, obj) -> str:
        return ""

    def search(self, access, query: str):
        queryset = self.searchable(access)
        for term in _terms(query):
            queryset = self.match(queryset, term)
        return self.order(queryset)

    def as_json(self, obj) -> dict:
        return {"id": obj.pk, "label": self.label(obj), "hint": self.hint(obj), "group": self.group(obj)}


def search_response(request, kind: PickerKind) -> JsonResponse:
    """One page of matches for `?q=` as JSON: {"results": [...], "more": bool}. With
    `exact=1`, only rows whose code is exactly q (what a barcode scanner types). A
    query of nothing answers nothing rather than the whole school."""
    query = (request.GET.get("q") or "").strip()[:100]
    if not query:
        return JsonResponse({"results": [], "more": False})
    if request.GET.get("exact"):
        rows = list(kind.order(kind.exact(kind.searchable(request.access), query))[:2])
        more = False
    else:
        rows = list(kind.search(request.access, query)[: PAGE_SIZE + 1])
        more = len(rows) > PAGE_SIZE
        rows = rows[:PAGE_SIZE]
    response = JsonResponse({"results": [kind.as_json(obj) for obj in rows], "more": more})
    response["Cache-Control"] = "private, no-store"
    return response


class PickerWidget(forms.Widget):
    template_name = "includes/picker.html"

    def __init__(self, *, kind: PickerKind, multiple: bool, attrs=None):
        super().__init__(attrs)
        self.kind = kind
        self.multiple = multiple
        self.access = None
        self.empty_label = ""
        self.query = ""

    def value_from_datadict(self, data, files, name):
        # The no-JavaScript search box travels with the form; keep what was typed.
        self.query = (data.get(f"{name}__q") or "").strip()[:100]
        if self.multiple:
            return data.getlist(name) if hasattr(data, "getlist") else data.get(name)
        return data.get(name)

    def value_omitted_from_data(self, data, files, name):
        return False if self.multiple else name not in data

    def format_value(self, value):
        if value in (None, ""):
            return []
        values = value if isinstance(value, (list, tuple, set)) or hasattr(value, "model") else [value]
        return [str(getattr(v, "pk", v)) for v in values if v not in (None, "")]

    def _rows(self, ids):
        numbers = [int(i) for i in ids if str(i).isdigit()]
        if not numbers or self.access is None:
            return []
        found = {obj.pk: obj for obj in self.kind.queryset(self.access).filter(pk__in=numbers)}
        return [found[n] for n in dict.fromkeys(numbers) if n in found]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        kind, access = self.kind, self.access
        chosen = self._rows(self.format_value(value))
        chosen_ids = {obj.pk for obj in chosen}
        options, short = [], False
        if access is not None:
            if self.query:
                options = list(kind.search(access, self.query)[: PAGE_SIZE + 1])
            else:
                first = list(kind.order(kind.searchable(access))[: SHORT_LIST + 1])
                short = len(first) <= SHORT_LIST
                options = first if short else []
        more = len(options) > (SHORT_LIST if short else PAGE_SIZE)
        options = [o for o in options[: SHORT_LIST if short else PAGE_SIZE] if o.pk not in chosen_ids]
        widget = context["widget"]
        widget.update(
            {
                "multiple": self.multiple,
                "short": short,
                "chosen": [self._item(o) for o in chosen],
                "options": [self._item(o) for o in options],
                "all_options": [self._item(o) for o in sorted(chosen + options, key=lambda o: self.kind.label(o))]
                if short and not self.multiple
                else [],
                "more": more,
                "query": self.query,
                "searched": bool(self.query),
                "kind": kind,
                "search_button": SEARCH_BUTTON,
                "empty_label": self.empty_label,
                "url": reverse(kind.url_name, args=[access.school.slug]) if access is not None else "",
                "input_id": widget["attrs"].get("id", f"id_{name}"),
            }
        )
        return context

    def render(self, name, value, attrs=None, renderer=None):
        # The project's templates, not the form renderer's (which sees only Django's own).
        return mark_safe(render_to_string(self.template_name, self.get_context(name, value, attrs)))

    def _item(self, obj):
        return {
            "id": str(obj.pk),
            "label": self.kind.label(obj),
            "hint": self.kind.hint(obj),
            "group": self.kind.group(obj),
        }

    def id_for_label(self, id_):
        return id_


class PickerField(forms.Field):
    """Choose one (`multiple=False`: cleans to the object or None) or several
    (`multiple=True`: cleans to a list of objects, in the order chosen) rows of a
    `PickerKind`, checked against what the person may choose in their school. The
    form sets `access` (see `PickerFormMixin`)."""

    def __init__(self, *, kind: PickerKind, multiple=False, empty_label="", **kwargs):
        self.kind = kind
        self.multiple = multiple
        kwargs.setdefault("widget", PickerWidget(kind=kind, multiple=multiple))
        super().__init__(**kwargs)
        self.widget.empty_label = empty_label
        self._access = None
        self.error_messages.setdefault("required", f"Choose {'at least one' if multiple else 'a'} {kind.noun}.")
        self.error_messages.setdefault("invalid_choice", f"Choose {kind.plural} from the list.")

    @property
    def access(self):
        return self._access

    @access.setter
    def access(self, access):
        self._access = access
        self.widget.access = access

    def __deepcopy__(self, memo):
        result = super().__deepcopy__(memo)
        result.widget.kind = self.kind
        return result

    def to_python(self, value):
        values = value if isinstance(value, (list, tuple)) else ([value] if value not in (None, "") else [])
        values = [str(v).strip() for v in values if str(v).strip()]
        if any(not v.isdigit() for v in values):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return list(dict.fromkeys(int(v) for v in values))

    def validate(self, value):
        if self.required and not value:
            raise ValidationError(self.error_messages["required"], code="required")
        if not self.multiple and len(value) > 1:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")

    def clean(self, value):
        ids = self.to_python(value)
        self.validate(ids)
        if not ids:
            return [] if self.multiple else None
        if self._access is None:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        found = {obj.pk: obj for obj in self.kind.queryset(self._access).filter(pk__in=ids)}
        if len(found) != len(ids):
            # Another school's id, or one the person may not see: the same answer.
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        rows = [found[i] for i in ids]
        return rows if self.multiple else rows[0]

    def has_changed(self, initial, data):
        return sorted(self.widget.format_value(initial)) != sorted(str(v) for v in (self.to_python(data) or []))


class PickerFormMixin:
    """For forms with picker fields: takes `access` (whose school and visibility the
    choices follow) and, when the no-JavaScript "Search" button posted the form back,
    neither validates nor shows errors: the page comes back with the matches to tick."""

    pause_to_search = True

    def __init__(self, *args, access, **kwargs):
        super().__init__(*args, **kwargs)
        self.access = access
        for field in self.fields.values():
            if isinstance(field, PickerField):
                field.access = access

    @property
    def picker_searching(self) -> bool:
        return bool(self.pause_to_search and self.is_bound and self.data.get(SEARCH_BUTTON))

    def full_clean(self):
        if self.picker_searching:
            self._errors = ErrorDict()
            self.cleaned_data = {}
            return
        super().full_clean()

    def is_valid(self):
        return not self.picker_searching and super().is_valid()
