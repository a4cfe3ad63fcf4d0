from django.urls import path

from . import exemptions, trust, views
from .approval_signing import views as approval_views

app_name = "aup"

# Under /s/<school_slug>/ (config/urls.py), guarded by core.tenancy.school_view.
school_patterns = [
    path("policies/", views.policy_list, name="policies"),
    path("policies/new/", views.policy_create, name="policy_create"),
    path("policies/<int:policy_id>/", views.policy_detail, name="policy"),
    path("policies/<int:policy_id>/new-version/", views.version_start, name="version_start"),
    path("policies/versions/<int:version_id>/", views.version_detail, name="version"),
    path("policies/versions/<int:version_id>/document/", views.version_document, name="version_document"),
    path("policies/versions/<int:version_id>/print.pdf", views.version_pdf, name="version_pdf"),
    path("policies/versions/<int:version_id>/forms/<slug:audience>/", views.form_edit, name="form_edit"),
    path("policies/versions/<int:version_id>/forms/<slug:audience>/remove/", views.form_remove, name="form_remove"),
    path("policies/versions/<int:version_id>/changes/", views.change_add, name="change_add"),
    path("policies/versions/<int:version_id>/approve/", views.version_approve, name="approve"),
    path("policies/versions/<int:version_id>/back-to-draft/", views.version_back_to_draft, name="back_to_draft"),
    path("policies/versions/<int:version_id>/publish/", views.version_publish, name="publish"),
    path("policies/versions/<int:version_id>/approval/", approval_views.approval, name="approval"),
    path("policies/versions/<int:version_id>/approval.pdf", approval_views.approval_pdf, name="approval_pdf"),
    path("search/statements/", views.search_statements, name="search_statements"),
    path("exemptions/", exemptions.queue, name="exemptions"),
    path("exemptions/new/", exemptions.new, name="exemption_new"),
    path("exemptions/mine/", exemptions.mine, name="exemptions_mine"),
    path("exemptions/<int:exemption_id>/", exemptions.detail, name="exemption"),
    path("exemptions/<int:exemption_id>/decide/", exemptions.decide, name="exemption_decide"),
]

# Under /t/<trust_slug>/ (config/urls.py), guarded by core.tenancy.trust_view. The
# policy pages have the same names as the school's: the templates are shared.
trust_patterns = [
    path("", trust.home, name="home"),
    path("policies/", trust.policy_list, name="policies"),
    path("policies/new/", trust.policy_create, name="policy_create"),
    path("policies/<int:policy_id>/", trust.policy_detail, name="policy"),
    path("policies/<int:policy_id>/new-version/", trust.version_start, name="version_start"),
    path("policies/versions/<int:version_id>/", trust.version_detail, name="version"),
    path("policies/versions/<int:version_id>/document/", trust.version_document, name="version_document"),
    path("policies/versions/<int:version_id>/print.pdf", trust.version_pdf, name="version_pdf"),
    path("policies/versions/<int:version_id>/forms/<slug:audience>/", trust.form_edit, name="form_edit"),
    path("policies/versions/<int:version_id>/forms/<slug:audience>/remove/", trust.form_remove, name="form_remove"),
    path("policies/versions/<int:version_id>/changes/", trust.change_add, name="change_add"),
    path("policies/versions/<int:version_id>/approve/", trust.version_approve, name="approve"),
    path("policies/versions/<int:version_id>/back-to-draft/", trust.version_back_to_draft, name="back_to_draft"),
    path("policies/versions/<int:version_id>/publish/", trust.version_publish, name="publish"),
]
