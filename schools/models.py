from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from core.roles import SCHOOL_ROLES, STAFF_ROLES, Role


class Trust(models.Model):
    """A multi-academy trust: several schools under one board."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(unique=True)

    def __str__(self):
        return self.name


class Phase(models.TextChoices):
    NURSERY = "nursery", "Nursery"
    PRIMARY = "primary", "Primary"
    SECONDARY = "secondary", "Secondary"
    ALL_THROUGH = "all_through", "All-through"
    SPECIAL = "special", "Special"


class School(models.Model):
    trust = models.ForeignKey(Trust, null=True, blank=True, on_delete=models.PROTECT, related_name="schools")
    name = models.CharField(max_length=200)
    slug = models.SlugField(unique=True, help_text="Used in the school's web addresses.")
    urn = models.CharField(
        "URN",
        max_length=8,
        unique=True,
        validators=[RegexValidator(r"^\d{6,8}$", "A URN is the 6-digit number from Get Information about Schools.")],
    )
    phase = models.CharField(max_length=20, choices=Phase.choices)
    address = models.TextField(blank=True)
    logo = models.ImageField(upload_to="school-logos/", blank=True)
    # Settings
    mfa_for_all_staff = models.BooleanField(
        "Ask all staff to use two-step sign-in",
        default=False,
        help_text="Leaders, the DSL and the office always must; this extends it to every member of staff.",
    )
    every_carer_signs = models.BooleanField(
        "Ask every carer with parental responsibility to sign",
        default=False,
        help_text="Otherwise one signature from a carer with parental responsibility is enough for each child.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class MembershipQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=Membership.Status.ACTIVE)

    def current(self):
        """Invited or active: everyone the school counts as one of its own."""
        return self.exclude(status=Membership.Status.LEFT)

    def with_role(self, *roles):
        return self.filter(roles__role__in=roles).distinct()

    def staff(self):
        """Everyone holding a role other than parent (staff, governors, volunteers...)."""
        return self.filter(roles__role__in=STAFF_ROLES).distinct()

    def parents(self):
        return self.with_role(Role.PARENT)


class StaffType(models.TextChoices):
    TEACHING = "teaching", "Teaching staff"
    SUPPORT = "support", "Support staff"
    LEADERSHIP = "leadership", "Leadership"
    ADMIN = "admin", "Office and administration"
    GOVERNOR = "governor", "Governor"
    TRAINEE = "trainee", "Trainee"
    SUPPLY = "supply", "Supply or agency staff"
    VOLUNTEER = "volunteer", "Volunteer"
    CONTRACTOR = "contractor", "Contractor"
    VISITOR = "visitor", "Visitor"


class Membership(models.Model):
    """A person's place in one school, with one or more roles. Staff details live here
    because they belong to the person's job at this school, not to the person."""

    class Status(models.TextChoices):
        INVITED = "invited", "Invited"
        ACTIVE = "active", "Active"
        LEFT = "left", "Left"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="memberships")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="memberships")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.INVITED)
    job_title = models.CharField(max_length=100, blank=True)
    staff_type = models.CharField(max_length=20, choices=StaffType.choices, blank=True)
    start_date = models.DateField(null=True, blank=True)
    leaving_date = models.DateField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "school"], name="one_membership_per_school")]

    @property
    def role_codes(self) -> list[str]:
        # Uses the prefetched roles when there are any.
        return sorted(r.role for r in self.roles.all())

    @property
    def role_labels(self) -> list[str]:
        return [Role(code).label for code in self.role_codes]

    @property
    def is_parent_only(self) -> bool:
        return self.role_codes == [Role.PARENT]

    def __str__(self):
        return f"{self.user} at {self.school}"


class MembershipRole(models.Model):
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(max_length=30, choices=[(r.value, r.label) for r in SCHOOL_ROLES])

    class Meta:
        constraints = [models.UniqueConstraint(fields=["membership", "role"], name="role_once_per_membership")]
        indexes = [
            # The staff of a school (the dashboard's counts, the trust roll-up) without
            # reading the carers' memberships: only roles other than parent, which are
            # few (a school of 2,000 pupils has about 150 staff and 3,000 carers).
            models.Index(fields=["membership"], condition=~Q(role=Role.PARENT), name="membershiprole_staff"),
        ]

    def __str__(self):
        return Role(self.role).label


class TrustMembershipQuerySet(models.QuerySet):
    def active(self):
        return self.filter(ended_at__isnull=True)


class TrustMembership(models.Model):
    """A trust officer (e.g. the trust's data protection officer): sees every school
    of the trust."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="trust_memberships")
    trust = models.ForeignKey(Trust, on_delete=models.PROTECT, related_name="memberships")
    job_title = models.CharField(max_length=100, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    objects = TrustMembershipQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "trust"], name="one_membership_per_trust")]

    def __str__(self):
        return f"{self.user}, trust officer at {self.trust}"


class KeyStage(models.TextChoices):
    EYFS = "eyfs", "Early years (EYFS)"
    KS1 = "ks1", "Key stage 1"
    KS2 = "ks2", "Key stage 2"
    KS3 = "ks3", "Key stage 3"
    KS4 = "ks4", "Key stage 4"
    KS5 = "ks5", "Key stage 5"


# Year group codes in school order, with their names and key stages.
YEAR_GROUPS = [
    ("N", "Nursery", KeyStage.EYFS),
    ("R", "Reception", KeyStage.EYFS),
    *[(str(n), f"Year {n}", KeyStage.KS1) for n in (1, 2)],
    *[(str(n), f"Year {n}", KeyStage.KS2) for n in (3, 4, 5, 6)],
    *[(str(n), f"Year {n}", KeyStage.KS3) for n in (7, 8, 9)],
    *[(str(n), f"Year {n}", KeyStage.KS4) for n in (10, 11)],
    *[(str(n), f"Year {n}", KeyStage.KS5) for n in (12, 13)],
]
YEAR_GROUP_ORDER = {code: i for i, (code, _, _) in enumerate(YEAR_GROUPS)}


class YearGroup(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="year_groups")
    code = models.CharField(max_length=3, choices=[(c, n) for c, n, _ in YEAR_GROUPS])
    key_stage = models.CharField(max_length=4, choices=KeyStage.choices)
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["school", "position"]
        constraints = [models.UniqueConstraint(fields=["school", "code"], name="year_group_once_per_school")]

    @property
    def name(self) -> str:
        return self.get_code_display()

    def __str__(self):
        return self.name


class SchoolClass(models.Model):
    """A class (form, registration group) with its teachers."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="classes")
    name = models.CharField(max_length=50)
    year_group = models.ForeignKey(YearGroup, on_delete=models.PROTECT, related_name="classes")
    teachers = models.ManyToManyField(Membership, blank=True, related_name="classes_taught")

    class Meta:
        ordering = ["year_group__position", "name"]
        verbose_name_plural = "classes"
        constraints = [models.UniqueConstraint(fields=["school", "name"], name="class_name_once_per_school")]

    def __str__(self):
        return self.name


class PupilQuerySet(models.QuerySet):
    def current(self, on=None):
        on = on or timezone.localdate()
        return self.filter(Q(leaving_date__isnull=True) | Q(leaving_date__gt=on))


class Pupil(models.Model):
    """A child on the school's roll. Pupils have no login of their own."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="pupils")
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    date_of_birth = models.DateField(null=True, blank=True)
    upn = models.CharField("UPN", max_length=13, blank=True, help_text="Unique pupil number")
    mis_id = models.CharField("MIS id", max_length=50, blank=True)
    year_group = models.ForeignKey(YearGroup, on_delete=models.PROTECT, related_name="pupils")
    school_class = models.ForeignKey(
        SchoolClass, null=True, blank=True, on_delete=models.SET_NULL, related_name="pupils"
    )
    admission_date = models.DateField(null=True, blank=True)
    leaving_date = models.DateField(null=True, blank=True)

    objects = PupilQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name"]
        constraints = [
            models.UniqueConstraint(fields=["school", "upn"], condition=~Q(upn=""), name="upn_once_per_school"),
            models.UniqueConstraint(
                fields=["school", "mis_id"], condition=~Q(mis_id=""), name="mis_id_once_per_school"
            ),
        ]

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def __str__(self):
        return self.full_name


class Relationship(models.TextChoices):
    MOTHER = "mother", "Mother"
    FATHER = "father", "Father"
    STEP_PARENT = "step_parent", "Step-parent"
    GRANDPARENT = "grandparent", "Grandparent"
    FOSTER_CARER = "foster_carer", "Foster carer"
    CARER = "carer", "Carer"
    OTHER = "other", "Other relative or contact"


class Guardianship(models.Model):
    """Who cares for whom. Not every carer holds parental responsibility (seed 004
    §26.2: separated families), which matters for consent and signatures."""

    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="guardianships")
    carer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="guardianships")
    relationship = models.CharField(max_length=20, choices=Relationship.choices)
    parental_responsibility = models.BooleanField(default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["pupil", "carer"], name="carer_once_per_pupil")]

    def __str__(self):
        return f"{self.carer} ({self.get_relationship_display()}) for {self.pupil}"


class RosterKind(models.TextChoices):
    PUPILS = "pupils", "Pupils"
    CONTACTS = "contacts", "Parents and carers (contacts)"
    STAFF = "staff", "Staff"


class RosterImport(models.Model):
    """One CSV file exported from the school's MIS: checked (dry run), then applied.
    The file's text is kept only until it is applied or abandoned; the hash and
    counts stay for the record."""

    class Status(models.TextChoices):
        CHECKED = "checked", "Checked, not applied"
        APPLIED = "applied", "Applied"

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="roster_imports")
    kind = models.CharField(max_length=10, choices=RosterKind.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.CHECKED)
    file_name = models.CharField(max_length=255)
    file_sha256 = models.CharField(max_length=64)
    content = models.TextField(blank=True)
    delimiter = models.CharField(max_length=1, default=",")
    # The headings and rows as parsed at upload (roster/files.py: keep), so the dry run
    # and the import read them instead of parsing the file again; cleared with content.
    parsed = models.JSONField(default=dict, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    applied_at = models.DateTimeField(null=True, blank=True)
    counts = models.JSONField(default=dict, blank=True)
    # The rows left out, kept after the file's text is cleared: [{line, who, message}].
    problems = models.JSONField(default=list, blank=True)
    # Inviting the new people, in batches, after the import is applied.
    invite_membership_ids = models.JSONField(default=list, blank=True)
    invitations_sent = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-uploaded_at", "-id"]

    def __str__(self):
        return f"{self.get_kind_display()} import of {self.file_name}"

    @property
    def invitations_total(self) -> int:
        return len(self.invite_membership_ids)


class ColumnMapping(models.Model):
    """A heading the school's MIS uses that the portal did not recognise, mapped once
    by a person and remembered for the school's next files."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="column_mappings")
    kind = models.CharField(max_length=10, choices=RosterKind.choices)
    heading = models.CharField(max_length=100, help_text="The heading, normalised (lower case, no punctuation).")
    field = models.CharField(max_length=30, help_text="The portal's field, or blank to ignore the column.")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["school", "kind", "heading"], name="heading_mapped_once_per_school")
        ]

    def __str__(self):
        return f"{self.heading} → {self.field or '(ignored)'}"
