from django.urls import path

from . import family, phone_views, post_views, views

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
    # Planned posts (consent/post_views.py): plan, the head's queue, the log, take-downs.
    path("consent/posts/", post_views.log, name="posts"),
    path("consent/posts/new/", post_views.plan, name="post_plan"),
    path("consent/posts/approvals/", post_views.queue, name="post_queue"),
    path("consent/posts/to-take-down/", post_views.take_down_list, name="posts_take_down"),
    path("consent/posts/<int:post_id>/", post_views.detail, name="post"),
    path("consent/posts/<int:post_id>/image/", post_views.image, name="post_image"),
    path("consent/posts/<int:post_id>/approve/", post_views.approve, name="post_approve"),
    path("consent/posts/<int:post_id>/refuse/", post_views.refuse, name="post_refuse"),
    path("consent/posts/<int:post_id>/cancel/", post_views.cancel, name="post_cancel"),
    path("consent/posts/<int:post_id>/published/", post_views.published, name="post_published"),
    path("consent/posts/<int:post_id>/taken-down/", post_views.taken_down, name="post_taken_down"),
    path("consent/form/confirm-again/", views.ask_to_confirm, name="ask_to_confirm"),
    path("consent/events/", views.event_list, name="events"),
    path("consent/events/new/", views.event_create, name="event_create"),
    path("consent/events/<int:event_id>/", views.event_edit, name="event_edit"),
    path("consent/phones/", phone_views.phone_list, name="phones"),
    path("consent/phones/print/", phone_views.phone_print, name="phones_print"),
    path("consent/phones/requests/", phone_views.phone_requests, name="phone_requests"),
    path("consent/phones/<int:phone_id>/decide/", phone_views.phone_decide, name="phone_decide"),
    path("consent/phones/<int:phone_id>/end/", phone_views.phone_end, name="phone_end"),
]

# /family/consent/...: a carer's own children only.
family_patterns = [
    path("family/consent/", family.home, name="home"),
    path("family/consent/children/<int:pupil_id>/", family.answer, name="answer"),
    path("family/consent/records/<int:record_id>/", family.receipt, name="receipt"),
    path("family/consent/records/<int:record_id>/pdf/", family.record_pdf, name="pdf"),
    path("family/phones/", phone_views.family_home, name="phones"),
    path("family/phones/children/<int:pupil_id>/", phone_views.family_request, name="phone_request"),
    path("family/phones/children/<int:pupil_id>/end/", phone_views.family_end, name="phone_end"),
]
