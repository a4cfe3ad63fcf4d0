import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# The web app signs PDFs: in production it does not start without a signing key.
from core.signing_keys import check_at_startup  # noqa: E402

check_at_startup()
