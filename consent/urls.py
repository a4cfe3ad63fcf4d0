from django.urls import path

from . import family, views

app_name = "consent"

# Under /s/<school_slug>/ (config/urls.py), guarded by core.tenancy.school_view.
school_patterns = [
    path("consent/", views.dashboard, name="dashboard"),
    path("consent/export.csv", views.export_csv, name="export"),
    path("consent/check/", views.check, name="check"),
    path("consent/check.pdf", views.check_pdf, name="check_pdf"),
    path("consent/classes/<int:class_id>/", views.class_sheet, name="class_sheet"),
    path("consent/pupils/<int:pupil_id>/", views.pupil_records, name="pupil"),
    path("consent/records/<int:consent_record_id>/pdf/", views.staff_record_pdf, name="record_pdf"),
    path("consent/form/", views.editor, name="editor"),
    path("consent/form/start/", views.start_draft, name="start_draft"),
    path("consent/form/publish/", views.publish, name="publish"),
]

# /family/consent/...: a carer's own children only.
family_patterns = [
    path("family/consent/", family.home, name="home"),
    path("family/consent/children/<int:pupil_id>/", family.answer, name="answer"),
    path("family/consent/records/<int:record_id>/", family.receipt, name="receipt"),
    path("family/consent/records/<int:record_id>/pdf/", family.record_pdf, name="pdf"),
]
