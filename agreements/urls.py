from django.urls import path

from . import classroom, dashboard, family, paper, reception, verify, views
from .countersigning import family as countersigning_family

app_name = "agreements"

# Under /s/<school_slug>/ (config/urls.py), guarded by core.tenancy.school_view.
school_patterns = [
    path("sign/<int:form_id>/", views.sign, name="sign"),
    path("sign/<int:form_id>/policy/", views.policy_document, name="policy_document"),
    path("signatures/<int:signature_id>/", views.receipt, name="receipt"),
    path("signatures/<int:signature_id>/pdf/", views.signed_pdf, name="pdf"),
    path("my-agreements/", views.my_agreements, name="mine"),
    path("people/<int:membership_id>/agreements/", views.person_agreements, name="person"),
    path("compliance/", dashboard.compliance, name="compliance"),
    path("compliance/print.pdf", dashboard.compliance_pdf, name="compliance_pdf"),
    path("compliance/<int:form_id>/", dashboard.compliance_form, name="compliance_form"),
    path("compliance/<int:form_id>/status.csv", dashboard.compliance_csv, name="compliance_csv"),
    path("compliance/<int:form_id>/remind/", dashboard.compliance_remind, name="compliance_remind"),
    path("compliance/<int:form_id>/print/", dashboard.compliance_print, name="compliance_print"),
    path("compliance/prints/<int:prepared_id>/", dashboard.compliance_printing, name="compliance_printing"),
    path("compliance/prints/<int:prepared_id>/file.pdf", dashboard.compliance_printed, name="compliance_printed"),
    path("paper/", paper.record, name="paper"),
    path("paper/scans/<int:scan_id>/", paper.scan, name="paper_scan"),
    path("visitors/", reception.visitors, name="visitors"),
    path("visitors/kiosk/", reception.open_kiosk, name="reception_open"),
    path("visitors/kiosk/<int:reception_kiosk_id>/start/", reception.start_kiosk, name="reception_start"),
    path("visitors/kiosk/<int:reception_kiosk_id>/close/", reception.close_kiosk, name="reception_close"),
    path("classes/<int:class_id>/agreements/", classroom.class_agreements, name="class_agreements"),
    path("classes/<int:class_id>/class-sessions/", classroom.open_session, name="class_session_open"),
    path("classes/<int:class_id>/read-aloud/<int:pupils_form_id>/", classroom.read_aloud, name="class_read_aloud"),
    path("class-sessions/<int:session_id>/", classroom.session_review, name="class_session"),
    path("class-sessions/<int:session_id>/start-here/", classroom.start_here, name="class_session_start_here"),
]

# Outside any school: /verify/ for anyone holding a signed PDF or its code.
public_patterns = [
    path("verify/", verify.verify, name="verify"),
]

# The classroom device in a class signing session (no login: the token is its key).
class_kiosk_patterns = [
    path("kiosk/class/<str:token>/", classroom.kiosk_home, name="home"),
    path("kiosk/class/<str:token>/pupils/<int:pupil_id>/", classroom.kiosk_pupil, name="pupil"),
    path("kiosk/class/<str:token>/finish/", classroom.kiosk_finish, name="finish"),
    path("kiosk/class/<str:token>/policy/", classroom.kiosk_policy, name="policy"),
]

# The reception device on which visitors sign (no login: the token is its key).
reception_kiosk_patterns = [
    path("kiosk/reception/<str:token>/", reception.kiosk, name="kiosk"),
    path("kiosk/reception/<str:token>/thanks/", reception.thanks, name="thanks"),
    path("kiosk/reception/<str:token>/policy/", reception.kiosk_policy, name="policy"),
]

# Parents' signing pages under /family/ (outside any one school; each view checks
# that the child is the parent's own).
family_patterns = [
    path("family/sign/<int:form_id>/", family.sign, name="sign"),
    path("family/sign/<int:form_id>/signed/", family.receipt, name="receipt"),
    path("family/sign/<int:form_id>/policy/", family.policy_document, name="policy"),
    path("family/signatures/<int:signature_id>/pdf/", family.signed_pdf, name="pdf"),
    path("family/countersign/<int:signature_id>/", countersigning_family.countersign, name="countersign"),
    path(
        "family/countersign/<int:signature_id>/pdf/", countersigning_family.countersigned_pdf, name="countersigned_pdf"
    ),
]

# Under /t/<trust_slug>/ (config/urls.py), guarded by core.tenancy.trust_view.
trust_patterns = [
    path("compliance/", dashboard.trust_compliance, name="compliance"),
]
