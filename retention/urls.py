from django.urls import path

from . import views

app_name = "retention"

# Under /s/<school_slug>/ (namespace "retention"), each behind core.tenancy.school_view.
school_patterns = [
    path("retention/", views.school_schedule, name="schedule"),
    path("retention/holds/", views.holds, name="holds"),
    path("retention/holds/<int:hold_id>/lift/", views.hold_lift, name="hold_lift"),
]

# Under /t/<trust_slug>/ (namespace "retention_trust"), each behind core.tenancy.trust_view.
trust_patterns = [
    path("retention/", views.trust_schedule, name="schedule"),
    path("retention/rules/<str:kind_key>/", views.rule_edit, name="rule"),
    path("retention/review/", views.review, name="review"),
    path("retention/review/<int:review_id>/approve/", views.approve, name="approve"),
    path("retention/destroyed/", views.destruction_log, name="log"),
]
