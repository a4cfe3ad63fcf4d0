"""The equipment register of a trust at scale (core/scale.py): about one device per
eight pupils in each school, a third of them lent (mostly to staff, some to pupils
through a carer with parental responsibility)."""

from __future__ import annotations

import datetime

from core.scale import scale_step

from .models import Device, DeviceStatus, Loan, LoanItem

BATCH = 1000
TYPES = ["laptop", "laptop", "tablet", "tablet", "camera", "phone", "memory_stick", "other"]
MAKES = {"laptop": "Dell", "tablet": "Apple", "camera": "Canon", "phone": "Samsung", "memory_stick": "Kingston"}


@scale_step(order=50)
def build_devices(plan) -> None:
    rng = plan.rng
    devices, loans, lent = [], [], []
    for built in plan.schools:
        prefix = built.school.slug.upper()[-6:]
        for n in range(max(10, len(built.pupils) // 8)):
            device_type = TYPES[n % len(TYPES)]
            on_loan = n % 3 == 0
            device = Device(
                school=built.school,
                device_type=device_type,
                make=MAKES.get(device_type, "Generic"),
                model=f"Model {n % 7}",
                serial_number=f"{prefix}-SN{n:06d}",
                asset_tag=f"{prefix}-{n:05d}",
                encrypted=device_type == "laptop",
                purchase_date=plan.today - datetime.timedelta(days=rng.randint(30, 1500)),
                status=DeviceStatus.ON_LOAN if on_loan else DeviceStatus.AVAILABLE,
            )
            devices.append(device)
            if not on_loan:
                continue
            if rng.random() < 0.8 or not built.carers:
                loan = Loan(school=built.school, borrower=rng.choice(built.staff), until_leaving=True)
            else:
                pupil = rng.choice(built.pupils)
                carers = [c for c, pr in built.carers.get(pupil.pk, []) if pr]
                if not carers:
                    loan = Loan(school=built.school, borrower=rng.choice(built.staff), until_leaving=True)
                else:
                    due = plan.today + datetime.timedelta(days=rng.randint(7, 120))
                    loan = Loan(school=built.school, pupil=pupil, carer=carers[0], due_on=due)
            loan.lent_by = built.office
            loans.append(loan)
            lent.append(device)
    Device.objects.bulk_create(devices, batch_size=BATCH)
    Loan.objects.bulk_create(loans, batch_size=BATCH)
    LoanItem.objects.bulk_create(
        [LoanItem(loan=loan, device=device) for loan, device in zip(loans, lent, strict=True)], batch_size=BATCH
    )
