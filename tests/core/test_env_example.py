""".env.example is the operator's list of every environment variable: each variable the
portal reads (settings, any other module of ours, the Procfile) is in it with a comment,
and everything in it is read somewhere, so the list is neither short nor stale."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ENV_EXAMPLE = ROOT / ".env.example"
# Not the portal: the tests, the benchmarks and the virtualenv read variables of their own.
NOT_SCANNED = {".venv", "var", "tests", "bench", ".git", "node_modules"}
# The test settings set their own SECRET_KEY and SECURE_SSL_REDIRECT; they read nothing.
TEST_ONLY_MODULES = {ROOT / "config" / "settings_test.py"}
# Read by a library straight from the environment, never through our settings: boto3
# takes the object storage keys itself (core/s3.py).
READ_BY_LIBRARIES = {"AWS_ACCESS_KEY_ID": "boto3", "AWS_SECRET_ACCESS_KEY": "boto3"}
# Process definitions read variables as $NAME or ${NAME:-default}.
PROCESS_FILES = [ROOT / "Procfile"]

# A documented variable is a line `NAME=value`, or `# NAME=value` for one whose default
# is usually right (the line shows the default).
DOCUMENTED = re.compile(r"^(?:# )?([A-Z][A-Z0-9_]*)=", re.MULTILINE)
SHELL_VARIABLE = re.compile(r"\$\{?([A-Z][A-Z0-9_]*)")


def _python_modules():
    for path in sorted(ROOT.rglob("*.py")):
        if NOT_SCANNED.intersection(path.relative_to(ROOT).parts) or path in TEST_ONLY_MODULES:
            continue
        yield path


def _is_os_environ(node) -> bool:
    return (
        isinstance(node, ast.Attribute)
        and node.attr == "environ"
        and isinstance(node.value, ast.Name)
        and node.value.id == "os"
    )


def _first_string_argument(call: ast.Call):
    if call.args and isinstance(call.args[0], ast.Constant) and isinstance(call.args[0].value, str):
        return call.args[0].value
    return None


def names_read_by(tree: ast.AST) -> set[str]:
    """Variables a module reads: env("X"), env.str("X", ...) and the other django-environ
    casts, os.environ.get("X"), os.environ["X"] and os.getenv("X"). os.environ.setdefault
    is not a read: it gives Django or Celery a default (DJANGO_SETTINGS_MODULE)."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            reads = (
                (isinstance(func, ast.Name) and func.id == "env")
                or (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "env")
                or (isinstance(func, ast.Attribute) and func.attr == "get" and _is_os_environ(func.value))
                or (
                    isinstance(func, ast.Attribute)
                    and func.attr == "getenv"
                    and isinstance(func.value, ast.Name)
                    and func.value.id == "os"
                )
            )
            name = _first_string_argument(node) if reads else None
            if name:
                names.add(name)
        elif isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load) and _is_os_environ(node.value):
            if isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str):
                names.add(node.slice.value)
    return names


def variables_read() -> dict[str, set[str]]:
    """Each variable read by the portal, with the files that read it."""
    readers: dict[str, set[str]] = {}
    for path in _python_modules():
        for name in names_read_by(ast.parse(path.read_text(), filename=str(path))):
            readers.setdefault(name, set()).add(str(path.relative_to(ROOT)))
    for path in PROCESS_FILES:
        for name in SHELL_VARIABLE.findall(path.read_text()):
            readers.setdefault(name, set()).add(path.name)
    return readers


def documented_variables() -> set[str]:
    return set(DOCUMENTED.findall(ENV_EXAMPLE.read_text()))


def test_the_scan_finds_what_settings_read():
    # If the scan found nothing, the two tests below would pass for the wrong reason.
    read = variables_read()

    assert {"SECRET_KEY", "DATABASE_URL", "REDIS_URL", "LOG_LEVEL", "CONN_MAX_AGE"} <= set(read)
    assert "DJANGO_SETTINGS_MODULE" not in read  # os.environ.setdefault is not a read


def test_every_variable_the_portal_reads_is_in_env_example():
    read = variables_read()

    missing = sorted(set(read) - documented_variables())

    assert not missing, "Not in .env.example: " + ", ".join(
        f"{name} (read in {', '.join(sorted(read[name]))})" for name in missing
    )


def test_everything_in_env_example_is_read_somewhere():
    stale = sorted(documented_variables() - set(variables_read()) - set(READ_BY_LIBRARIES))

    assert not stale, "In .env.example but read nowhere: " + ", ".join(stale)


def test_every_variable_in_env_example_has_a_comment_above_it():
    lines = ENV_EXAMPLE.read_text().splitlines()
    uncommented = []
    for i, line in enumerate(lines):
        match = DOCUMENTED.match(line)
        if not match:
            continue
        # The block of comment and variable lines this one belongs to must hold a comment
        # that is not itself a variable.
        start = i
        while start > 0 and lines[start - 1].strip():
            start -= 1
        block = lines[start:i]
        if not any(text.startswith("#") and not DOCUMENTED.match(text) for text in block):
            uncommented.append(match.group(1))

    assert not uncommented, "No comment above: " + ", ".join(uncommented)
