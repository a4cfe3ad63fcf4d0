from django.urls import path  # noqa: F401

app_name = "aup"

# Under /s/<school_slug>/ (config/urls.py), guarded by core.tenancy.school_view.
school_patterns = []
