from django.urls import path

from . import views

app_name = "reminders"

# Mounted under /s/<school_slug>/ (config/urls.py, namespace "reminders").
school_patterns = [
    path("reminders/", views.reminder_log, name="log"),
    path("reminders/settings/", views.reminder_settings, name="settings"),
]

# A person's own choice, outside any school (namespace "reminder_prefs").
account_patterns = [
    path("reminders/preferences/", views.preferences, name="preferences"),
]
