"""System checks: `manage.py check --deploy` says when production has no PDF signing
key (the web app and the worker would refuse to start)."""

from django.core import checks

from .signing_keys import SigningKeyError, check_at_startup


@checks.register(checks.Tags.security, deploy=True)
def signing_key_check(app_configs, **kwargs):
    try:
        check_at_startup()
    except SigningKeyError as error:
        return [checks.Error(str(error), id="core.E101")]
    return []
