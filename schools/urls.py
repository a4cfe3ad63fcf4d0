from django.urls import path

from . import roster_views, search_views, views

app_name = "schools"

# Every page here lives under /s/<school_slug>/ (see config/urls.py) and is guarded
# by core.tenancy.school_view.
school_patterns = [
    path("", views.school_home, name="home"),
    path("staff/", views.staff_list, name="staff"),
    path("staff/add/", views.staff_add, name="staff_add"),
    path("parents/", views.parent_list, name="parents"),
    path("parents/add/", views.parent_add, name="parent_add"),
    path("people/<int:membership_id>/", views.person_detail, name="person"),
    path("people/<int:membership_id>/roles/", views.person_roles, name="person_roles"),
    path("people/<int:membership_id>/leaver/", views.person_leaver, name="person_leaver"),
    path("people/<int:membership_id>/invite/", views.person_invite, name="person_invite"),
    path("settings/", views.school_settings, name="settings"),
    path("logo/", views.school_logo, name="logo"),
    path("import/", roster_views.import_home, name="import_home"),
    path("import/history/", roster_views.import_history, name="import_history"),
    path("import/sample.csv", roster_views.import_sample, name="import_sample"),
    path("import/<int:import_id>/", roster_views.import_detail, name="import"),
    path("import/<int:import_id>/columns/", roster_views.import_columns, name="import_columns"),
    path("import/<int:import_id>/apply/", roster_views.import_apply, name="import_apply"),
    path("import/<int:import_id>/progress/", roster_views.import_progress, name="import_progress"),
    path("pupils/", views.pupil_list, name="pupils"),
    path("pupils/<int:pupil_id>/", views.pupil_detail, name="pupil"),
    path("pupils/<int:pupil_id>/family/", views.pupil_family, name="pupil_family"),
    path("search/pupils/", search_views.search_pupils, name="search_pupils"),
    path("search/staff/", search_views.search_staff, name="search_staff"),
    path("search/carers/", search_views.search_carers, name="search_carers"),
]

# Parents' own pages, outside any one school (namespace "family").
family_patterns = [
    path("family/", views.family, name="home"),
    path("family/children/<int:pupil_id>/", views.family_child, name="child"),
]

urlpatterns = school_patterns
