from django.urls import path

from . import views

app_name = "incidents"

# Under /s/<school_slug>/ (config/urls.py), guarded by core.tenancy.school_view.
school_patterns = [
    path("incidents/report/", views.report, name="report"),
    path("incidents/mine/", views.mine, name="mine"),
    path("incidents/", views.log, name="log"),
    path("incidents/review/", views.review_queue, name="review"),
    path("incidents/summary/", views.summary, name="summary"),
    path("incidents/summary.pdf", views.summary_pdf, name="summary_pdf"),
    path("incidents/<int:incident_id>/", views.detail, name="detail"),
    path("incidents/<int:incident_id>/evidence/<int:evidence_id>/", views.evidence_file, name="evidence"),
    path("incidents/<int:incident_id>/record.pdf", views.record_pdf, name="record_pdf"),
    path("incidents/<int:incident_id>/add/", views.add_to_report, name="add_to_report"),
    path("incidents/<int:incident_id>/triage/", views.triage, name="triage"),
    path("incidents/<int:incident_id>/entries/", views.add_entry, name="add_entry"),
    path("incidents/<int:incident_id>/evidence/", views.add_evidence, name="add_evidence"),
    path("incidents/<int:incident_id>/status/", views.change_status, name="status"),
    path("incidents/<int:incident_id>/ico/", views.ico_decision, name="ico_decision"),
    path("incidents/<int:incident_id>/misuse/", views.classify_misuse, name="misuse"),
    path("incidents/<int:incident_id>/ict-access/", views.withdraw_ict_access, name="withdraw_ict"),
    path("incidents/<int:incident_id>/close/", views.close, name="close"),
]
