from django.contrib import admin

from .models import (
    Guardianship,
    Membership,
    MembershipRole,
    Pupil,
    School,
    SchoolClass,
    Trust,
    TrustMembership,
    YearGroup,
)


class MembershipRoleInline(admin.TabularInline):
    model = MembershipRole
    extra = 0


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "school", "status", "job_title", "leaving_date"]
    list_filter = ["school", "status"]
    search_fields = ["user__email", "user__last_name"]
    inlines = [MembershipRoleInline]
    raw_id_fields = ["user"]


@admin.register(Pupil)
class PupilAdmin(admin.ModelAdmin):
    list_display = ["last_name", "first_name", "school", "year_group", "school_class", "leaving_date"]
    list_filter = ["school"]
    search_fields = ["last_name", "first_name", "upn"]


admin.site.register([Trust, School, TrustMembership, YearGroup, SchoolClass, Guardianship])
