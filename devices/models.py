"""The equipment register: devices, who holds them (loans), returns, loss and disposal.

A device is on at most one open loan: the database refuses a second (a unique index on
LoanItem.device where the item is not yet returned). A loan's receipt, and each return,
is signed through agreements.services.sign on the school's published loan conditions
(an agreement form of the LOANS audience)."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from agreements.models import Signature
from core.storage import private_storage
from schools.models import Membership, Pupil, School


class DeviceType(models.TextChoices):
    LAPTOP = "laptop", "Laptop"
    TABLET = "tablet", "Tablet"
    CAMERA = "camera", "Camera"
    PHONE = "phone", "Phone"
    MEMORY_STICK = "memory_stick", "Memory stick"
    OTHER = "other", "Other"


# Devices that hold photos and messages: they come back with personal data removed
# (seed 003 §2.1.1).
PERSONAL_DATA_TYPES = frozenset({DeviceType.CAMERA, DeviceType.PHONE})


class DeviceStatus(models.TextChoices):
    AVAILABLE = "available", "Available"
    ON_LOAN = "on_loan", "On loan"
    IN_REPAIR = "in_repair", "In repair"
    LOST_OR_STOLEN = "lost_or_stolen", "Lost or stolen"
    DISPOSED = "disposed", "Disposed of"


class DeviceSettings(models.Model):
    """The school's rules for lending. A school without a row has the defaults."""

    school = models.OneToOneField(School, on_delete=models.CASCADE, related_name="device_settings")
    laptops_must_be_encrypted = models.BooleanField(
        "Laptops must be encrypted before they are lent",
        default=True,
        help_text="A laptop not marked as encrypted cannot be lent.",
    )
    staff_must_have_signed_agreement = models.BooleanField(
        "Refuse a loan while the borrower has not signed the current staff ICT agreement",
        default=True,
        help_text="Applies to loans to members of staff.",
    )

    def __str__(self):
        return f"Device settings of {self.school}"


class Device(models.Model):
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="devices")
    device_type = models.CharField("Type", max_length=20, choices=DeviceType.choices)
    make = models.CharField(max_length=100)
    model = models.CharField(max_length=100, blank=True)
    serial_number = models.CharField(max_length=100)
    asset_tag = models.CharField(max_length=50, blank=True)
    purchase_date = models.DateField(null=True, blank=True)
    cost = models.DecimalField("Cost (£)", max_digits=9, decimal_places=2, null=True, blank=True)
    encrypted = models.BooleanField(default=False)
    location = models.CharField(max_length=200, blank=True)
    condition = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=20, choices=DeviceStatus.choices, default=DeviceStatus.AVAILABLE)
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["device_type", "make", "model", "serial_number"]
        constraints = [
            models.UniqueConstraint(fields=["school", "serial_number"], name="device_serial_once_per_school"),
            models.UniqueConstraint(
                fields=["school", "asset_tag"], condition=~Q(asset_tag=""), name="device_asset_tag_once_per_school"
            ),
        ]
        indexes = [models.Index(fields=["school", "status"])]

    def __str__(self):
        return self.label

    @property
    def label(self) -> str:
        """ "Laptop Dell Latitude 5440 (serial ABC123)": as the receipt lists it."""
        name = " ".join(part for part in [self.get_device_type_display(), self.make, self.model] if part)
        return f"{name} (serial {self.serial_number})"

    @property
    def needs_data_removed(self) -> bool:
        return self.device_type in PERSONAL_DATA_TYPES


class Loan(models.Model):
    """One handover of one or more devices to one borrower: a member of staff, or a
    pupil through a carer with parental responsibility (who signs)."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="loans")
    borrower = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.PROTECT, related_name="loans", help_text="Staff borrower"
    )
    pupil = models.ForeignKey(Pupil, null=True, blank=True, on_delete=models.PROTECT, related_name="loans")
    carer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The carer with parental responsibility who signs for a pupil's loan.",
    )
    due_on = models.DateField(null=True, blank=True)
    until_leaving = models.BooleanField(default=False)
    notes = models.TextField(blank=True)
    lent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    receipt_signature = models.ForeignKey(
        Signature, null=True, blank=True, on_delete=models.PROTECT, related_name="device_loans"
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(borrower__isnull=False, pupil__isnull=True, carer__isnull=True))
                | Q(borrower__isnull=True, pupil__isnull=False, carer__isnull=False),
                name="loan_to_staff_or_to_a_pupil_through_a_carer",
            ),
            models.CheckConstraint(
                condition=Q(due_on__isnull=False) | Q(until_leaving=True), name="loan_has_a_due_date_or_until_leaving"
            ),
        ]

    def __str__(self):
        return f"Loan {self.pk} to {self.borrower_name}"

    @property
    def borrower_name(self) -> str:
        if self.borrower_id:
            return self.borrower.user.full_name
        return f"{self.pupil.full_name} (signed for by {self.carer.full_name})"

    @property
    def signer(self):
        """The person who signs the receipt and the returns."""
        return self.borrower.user if self.borrower_id else self.carer

    @property
    def awaiting_signature(self) -> bool:
        return self.receipt_signature_id is None and self.cancelled_at is None


class LoanItem(models.Model):
    """One device on one loan, and its return."""

    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="items")
    device = models.ForeignKey(Device, on_delete=models.PROTECT, related_name="loan_items")
    returned_at = models.DateTimeField(null=True, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    return_condition = models.TextField("Condition on return", blank=True)
    accessories_returned = models.CharField(max_length=300, blank=True)
    personal_data_removed = models.BooleanField(default=False)
    # The borrower's signature on the return (several items returned together share it).
    return_signature = models.ForeignKey(
        Signature, null=True, blank=True, on_delete=models.PROTECT, related_name="device_returns"
    )
    # Ended without coming back: reported lost or stolen, or the unsigned loan cancelled.
    ended_without_return = models.CharField(max_length=20, blank=True)

    class Meta:
        ordering = ["loan", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["device"], condition=Q(returned_at__isnull=True), name="device_on_one_open_loan"
            ),
            models.UniqueConstraint(fields=["loan", "device"], name="device_once_per_loan"),
        ]

    def __str__(self):
        return f"{self.device} on loan {self.loan_id}"

    @property
    def is_open(self) -> bool:
        return self.returned_at is None


class Disposal(models.Model):
    """How a device left the school for good: WEEE, with a certificate that its data
    was destroyed (seed 000 §3.4, seed 004 §11)."""

    device = models.OneToOneField(Device, on_delete=models.PROTECT, related_name="disposal")
    contractor = models.CharField(max_length=200)
    disposed_on = models.DateField()
    weee_note = models.TextField("WEEE note", blank=True)
    certificate = models.FileField(upload_to="devices/certificates/%Y/%m/", storage=private_storage)
    certificate_content_type = models.CharField(max_length=50)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"Disposal of {self.device}"


class LossReport(models.Model):
    """A device reported lost or stolen, and the e-safety incident it opened."""

    device = models.ForeignKey(Device, on_delete=models.PROTECT, related_name="loss_reports")
    happened_at = models.DateTimeField()
    where = models.CharField(max_length=200)
    what_happened = models.TextField()
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reported_at = models.DateTimeField(auto_now_add=True)
    incident = models.ForeignKey(
        "incidents.Incident", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-reported_at"]

    def __str__(self):
        return f"{self.device} reported lost"


class DeviceCheck(models.Model):
    """The annual check: someone walks the register (on a phone or on paper) and
    ticks each device they see. One open check per school at a time."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="device_checks")
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    finished_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["school"], condition=Q(finished_at__isnull=True), name="one_open_device_check_per_school"
            )
        ]

    def __str__(self):
        return f"Equipment check at {self.school} ({self.started_at:%d/%m/%Y})"


class DeviceSighting(models.Model):
    device_check = models.ForeignKey(DeviceCheck, on_delete=models.CASCADE, related_name="sightings")
    device = models.ForeignKey(Device, on_delete=models.PROTECT, related_name="sightings")
    seen_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    seen_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["device_check", "device"], name="device_seen_once_per_check")]

    def __str__(self):
        return f"{self.device} seen"
