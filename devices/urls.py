from django.urls import path

from . import label_views, views

app_name = "devices"

# Under /s/<school_slug>/ (config/urls.py), guarded by core.tenancy.school_view.
school_patterns = [
    path("devices/", views.register, name="register"),
    path("devices/add/", views.add_device, name="add"),
    path("devices/labels/", label_views.labels_form, name="labels_form"),
    path("devices/labels.pdf", label_views.labels_pdf, name="labels"),
    path("devices/import/", views.import_devices, name="import"),
    path("devices/import/sample.csv", views.import_sample, name="import_sample"),
    path("devices/lend/", views.lend, name="lend"),
    path("devices/search/", views.search, name="search"),
    path("devices/overdue/", views.overdue, name="overdue"),
    path("devices/leavers/", views.leavers, name="leavers"),
    path("devices/settings/", views.lending_settings, name="settings"),
    path("devices/check/", views.check, name="check"),
    path("devices/check/start/", views.check_start, name="check_start"),
    path("devices/check/finish/", views.check_finish, name="check_finish"),
    path("devices/check/<int:device_id>/seen/", views.check_seen, name="check_seen"),
    path("devices/<int:device_id>/", views.device, name="device"),
    path("devices/<int:device_id>/edit/", views.edit_device, name="edit"),
    path("devices/<int:device_id>/lost/", views.report_lost, name="lost"),
    path("devices/<int:device_id>/dispose/", views.dispose, name="dispose"),
    path("devices/<int:device_id>/certificate/", views.certificate, name="certificate"),
    path("devices/send-agreement/", views.send_agreement, name="send_agreement"),
    path("loans/<int:loan_id>/", views.loan, name="loan"),
    path("loans/<int:loan_id>/sign/", views.sign, name="sign"),
    path("loans/<int:loan_id>/send-link/", views.send_link, name="send_link"),
    path("loans/<int:loan_id>/cancel/", views.cancel, name="cancel"),
    path("loans/<int:loan_id>/hand-over/", views.hand_over, name="hand_over"),
    path("loans/<int:loan_id>/return/", views.receive, name="receive"),
    path("loans/<int:loan_id>/signed.pdf", views.loan_pdf, name="loan_pdf"),
    path("my-equipment/", views.mine, name="mine"),
]

# A carer signs for their child's loan from /family/ (the view checks the guardianship).
family_patterns = [
    path("family/loans/<int:loan_id>/sign/", views.family_sign, name="sign"),
]
