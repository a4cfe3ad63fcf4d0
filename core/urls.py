from django.urls import path

from . import views

app_name = "core"

urlpatterns = [
    path("", views.root, name="root"),
    path("home/", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    # DEBUG only (404 otherwise): the emails sent while developing (core.mail_outbox).
    path("dev/outbox/", views.dev_outbox, name="dev_outbox"),
    path("dev/outbox/<str:message_id>/", views.dev_outbox_message, name="dev_outbox_message"),
    path(
        "dev/outbox/<str:message_id>/attachments/<int:number>/",
        views.dev_outbox_attachment,
        name="dev_outbox_attachment",
    ),
]

school_patterns = [
    path("audit/", views.audit_log, name="log"),
]
