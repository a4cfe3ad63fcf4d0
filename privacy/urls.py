from django.urls import path

from . import views

app_name = "privacy"

# Under /s/<school_slug>/ (config/urls.py), each guarded by core.tenancy.school_view.
school_patterns = [
    path("data-protection/", views.home, name="home"),
    path("data-protection/requests/new/", views.request_new, name="request_new"),
    path("data-protection/requests/<int:rights_request_id>/", views.request_detail, name="request"),
    path("data-protection/exports/new/", views.export_new, name="export_new"),
    path("data-protection/exports/<int:export_id>/", views.export_detail, name="export"),
    path("data-protection/exports/<int:export_id>/download/", views.export_download, name="export_download"),
    path("privacy-notice/", views.notice_edit, name="notice_edit"),
]

# Public: anyone may read a school's privacy notice.
public_patterns = [
    path("privacy/<slug:school_slug>/", views.notice_public, name="notice"),
]
