"""The readable diff of a form's wording between two versions."""

from django.template.loader import render_to_string

from aup.templatetags.aup_diff import diff_lines

OLD = "Staff agreement\n\n1. I will keep my password private.\n2. I will lock my screen.\n"
NEW = "Staff agreement\n\n1. I will keep my password private.\n2. I will lock my screen when I leave it.\n3. I will report incidents.\n"


def test_the_diff_lists_unchanged_removed_and_added_lines_in_reading_order():
    diff = diff_lines(OLD, NEW)
    assert [(line.kind, line.text) for line in diff.lines] == [
        ("same", "Staff agreement"),
        ("same", "1. I will keep my password private."),
        ("removed", "2. I will lock my screen."),
        ("added", "2. I will lock my screen when I leave it."),
        ("added", "3. I will report incidents."),
    ]
    assert (diff.removed, diff.added) == (1, 2)


def test_the_include_marks_removed_and_added_lines_with_words_and_del_ins():
    html = render_to_string("aup/_form_diff.html", {"old_text": OLD, "new_text": NEW})
    assert "1 line removed, 2 lines added" in html
    assert "Removed:</span> <del>2. I will lock my screen.</del>" in html
    assert "Added:</span> <ins>2. I will lock my screen when I leave it.</ins>" in html
    assert "Added:</span> <ins>3. I will report incidents.</ins>" in html


def test_the_include_says_when_nothing_changed():
    html = render_to_string("aup/_form_diff.html", {"old_text": OLD, "new_text": OLD})
    assert "has not changed" in html
    assert "<del>" not in html and "<ins>" not in html


def test_the_include_says_when_there_is_no_earlier_wording():
    html = render_to_string("aup/_form_diff.html", {"old_text": "", "new_text": NEW})
    assert "no earlier published wording" in html


def test_the_include_escapes_the_text():
    html = render_to_string("aup/_form_diff.html", {"old_text": "a\n", "new_text": "<script>x</script>\n"})
    assert "<script>" not in html and "&lt;script&gt;" in html
