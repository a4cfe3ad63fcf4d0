"""GOV.UK-style pagination for long lists: "Showing 1 to 50 of 2,000", Previous,
numbered pages around the current one (with the first and last, and "…" between),
Next. Every link keeps the page's other query parameters (filters, the page number
of another list on the same page) and changes only its own."""

from django import template
from django.http import QueryDict

register = template.Library()

# Pages shown either side of the current one.
AROUND = 1


def _href(params: QueryDict, name: str, number: int) -> str:
    query = params.copy()
    if number == 1:
        query.pop(name, None)
    else:
        query[name] = str(number)
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else "?"


def page_numbers(current: int, last: int) -> list[int | None]:
    """The page numbers to link, None where pages are left out: 1 … 4 5 6 … 40."""
    wanted = {1, last, *range(current - AROUND, current + AROUND + 1)}
    numbers: list[int | None] = []
    for n in sorted(n for n in wanted if 1 <= n <= last):
        if numbers and numbers[-1] is not None and n > numbers[-1] + 1:
            numbers.append(None)
        numbers.append(n)
    return numbers


@register.inclusion_tag("includes/pager.html", takes_context=True)
def pager(context, page, param="page", label="Pages", noun="", plural_noun=""):
    """The pager of `page` (a Paginator page) whose number travels as `?<param>=`."""
    request = context["request"]
    params = request.GET.copy()
    count = page.paginator.count
    numbers = page_numbers(page.number, page.paginator.num_pages)
    return {
        "page": page,
        "label": label,
        "count": count,
        "noun": noun if count == 1 else (plural_noun or f"{noun}s" if noun else ""),
        "first": page.start_index(),
        "last": page.end_index(),
        "previous": _href(params, param, page.previous_page_number()) if page.has_previous() else "",
        "next": _href(params, param, page.next_page_number()) if page.has_next() else "",
        "items": [
            {"number": n, "href": _href(params, param, n), "current": n == page.number} if n else None for n in numbers
        ],
    }
