from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from agreements import urls as agreements_urls
from aup import urls as aup_urls
from consent import urls as consent_urls
from core import urls as core_urls
from devices import urls as devices_urls
from incidents import urls as incidents_urls
from privacy import urls as privacy_urls
from reminders import urls as reminders_urls
from retention import urls as retention_urls
from schools import urls as schools_urls

# The admin's own login form would take a password alone, with no rate limit: send
# people to the portal's sign-in instead (allauth's limits and its second step), and
# RequireMFAMiddleware asks site staff for the second step before any admin page.
admin.site.login = secure_admin_login(admin.site.login)

# Every school's pages live under /s/<school_slug>/; each view there is guarded by
# core.tenancy.school_view.
school_urls = [
    path("", include((schools_urls.school_patterns, "schools"))),
    path("", include((core_urls.school_patterns, "audit"))),
    path("", include((agreements_urls.school_patterns, "agreements"))),
    path("", include((aup_urls.school_patterns, "aup"))),
    path("", include((reminders_urls.school_patterns, "reminders"))),
    path("", include((incidents_urls.school_patterns, "incidents"))),
    path("", include((devices_urls.school_patterns, "devices"))),
    path("", include((consent_urls.school_patterns, "consent"))),
    path("", include((retention_urls.school_patterns, "retention"))),
    path("", include((privacy_urls.school_patterns, "privacy"))),
]

# A trust's own pages (its policies, the roll-up of its schools) live under
# /t/<trust_slug>/; each view there is guarded by core.tenancy.trust_view.
trust_urls = [
    path("", include((aup_urls.trust_patterns, "aup_trust"))),
    path("", include((agreements_urls.trust_patterns, "agreements_trust"))),
    path("", include((retention_urls.trust_patterns, "retention_trust"))),
]

urlpatterns = [
    path("", include(core_urls)),
    path("", include((schools_urls.family_patterns, "family"))),
    path("", include("accounts.urls")),
    path("", include((agreements_urls.public_patterns, "verify"))),
    path("", include((agreements_urls.family_patterns, "family_sign"))),
    path("", include((devices_urls.family_patterns, "devices_family"))),
    path("", include((consent_urls.family_patterns, "family_consent"))),
    path("", include((agreements_urls.class_kiosk_patterns, "class_kiosk"))),
    path("", include((agreements_urls.reception_kiosk_patterns, "reception"))),
    path("", include((reminders_urls.account_patterns, "reminder_prefs"))),
    path("", include((privacy_urls.public_patterns, "privacy_public"))),
    path("accounts/", include("allauth.urls")),
    path("s/<slug:school_slug>/", include(school_urls)),
    path("t/<slug:trust_slug>/", include(trust_urls)),
    path("django-admin/", admin.site.urls),
]

handler404 = "core.views.page_not_found"
handler500 = "core.views.server_error"
