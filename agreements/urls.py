from django.urls import path

from . import family, paper, verify, views

app_name = "agreements"

# Under /s/<school_slug>/ (config/urls.py), guarded by core.tenancy.school_view.
school_patterns = [
    path("sign/<int:form_id>/", views.sign, name="sign"),
    path("signatures/<int:signature_id>/", views.receipt, name="receipt"),
    path("signatures/<int:signature_id>/pdf/", views.signed_pdf, name="pdf"),
    path("my-agreements/", views.my_agreements, name="mine"),
    path("people/<int:membership_id>/agreements/", views.person_agreements, name="person"),
    path("compliance/", views.compliance, name="compliance"),
    path("compliance/<int:form_id>/", views.compliance_form, name="compliance_form"),
    path("compliance/<int:form_id>/status.csv", views.compliance_csv, name="compliance_csv"),
    path("paper/", paper.record, name="paper"),
    path("paper/scans/<int:scan_id>/", paper.scan, name="paper_scan"),
]

# Outside any school: /verify/ for anyone holding a signed PDF or its code.
public_patterns = [
    path("verify/", verify.verify, name="verify"),
]

# Parents' signing pages under /family/ (outside any one school; each view checks
# that the child is the parent's own).
family_patterns = [
    path("family/sign/<int:form_id>/", family.sign, name="sign"),
    path("family/sign/<int:form_id>/signed/", family.receipt, name="receipt"),
    path("family/signatures/<int:signature_id>/pdf/", family.signed_pdf, name="pdf"),
]

# Under /t/<trust_slug>/ (config/urls.py), guarded by core.tenancy.trust_view.
trust_patterns = []
