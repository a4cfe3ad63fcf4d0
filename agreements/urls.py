from django.urls import path

from . import views

app_name = "agreements"

# Under /s/<school_slug>/ (config/urls.py), guarded by core.tenancy.school_view.
school_patterns = [
    path("sign/<int:form_id>/", views.sign, name="sign"),
    path("signatures/<int:signature_id>/", views.receipt, name="receipt"),
    path("signatures/<int:signature_id>/pdf/", views.signed_pdf, name="pdf"),
]

# Outside any school: /verify/ for anyone holding a signed PDF or its code.
public_patterns = []
