"""The signing-to-stored-PDF pipeline against bare WeasyPrint rendering the same HTML.

    DJANGO_SETTINGS_MODULE=config.settings_test .venv/bin/python -m bench.signing_pipeline

Per document, measured in turn (interleaved) `--repeat` times each, in the same run:

  baseline  WeasyPrint alone: HTML(string=the signed-PDF HTML of an earlier signature)
            .write_pdf() with the same options the portal uses (PDF/A-3b, the shipped
            fonts), nothing else;
  pipeline  what happens when someone signs: agreements.services.sign() (checks, the
            Signature row, the audit event), then on commit the render_signed_pdf task
            (Celery eager, as in the tests): the template with its QR code, WeasyPrint,
            the SHA-256, the file in private storage, the SignedDocument row and the
            email to the signer (locmem backend), until the document is stored.

It prints the median times, the ratio pipeline/baseline and "ratio <= 1.5: yes/no" (the
target in issue 4), and for information plain write_pdf() without PDF/A.

It creates and destroys its own test database, like the test runner, so it never
touches a development database: SQLite in memory by default, PostgreSQL when
DATABASE_URL is set (the test database is named after it: test_<name>). Signed PDFs go
to a temporary folder that is removed afterwards.
"""

from __future__ import annotations

import argparse
import hashlib
import secrets
import statistics
import sys
import tempfile
import time

from bench._setup import django_setup, test_database

TARGET_RATIO = 1.5
STATEMENTS = [
    "I will only use the school's ICT systems, email and internet for professional purposes.",
    "I will keep my passwords private and will not use anyone else's account.",
    "I will not install software or hardware without the permission of the ICT manager.",
    "I will report any e-safety concern about a pupil to the DSL straight away.",
    "I will only take or keep images of pupils on school equipment and with consent.",
    "I will communicate with pupils and parents only through the school's approved channels.",
    "I understand that the school may monitor my use of its ICT systems.",
    "I will report any accidental access to inappropriate material to the e-safety lead.",
]


def make_form():
    from accounts.models import User
    from agreements.models import FormText
    from aup.models import AgreementForm, Policy, PolicyVersion, Statement
    from schools.models import School

    school = School.objects.create(
        name="Bench Oakfield Primary School", slug="bench-sign", urn="900001", phase="primary"
    )
    author = User.objects.create_user(email="head@bench-sign.example.org", first_name="Bench", last_name="Head")
    policy = Policy.objects.create(school=school, title="ICT acceptable use")
    version = PolicyVersion.objects.create(policy=policy, number=2, status="published", created_by=author)
    form = AgreementForm.objects.create(
        version=version,
        audience="staff",
        title="Staff, governor and visitor ICT acceptable use agreement",
        intro="Please read these statements carefully. By signing, you agree to follow them.",
    )
    for number, text in enumerate(STATEMENTS, start=1):
        Statement.objects.create(form=form, number=number, text=text)
    canonical = form.canonical_text()
    digest = hashlib.sha256(canonical.encode()).hexdigest()
    FormText.objects.create(sha256=digest, text=canonical)
    AgreementForm.objects.filter(pk=form.pk).update(text_sha256=digest)
    form.refresh_from_db()
    return form


class Bench:
    def __init__(self):
        from accounts.models import User

        self.form = make_form()
        self.people = iter(
            User.objects.create_user(
                email=f"teacher{n}@bench-sign.example.org", first_name="Jane", last_name=f"Smith{n}"
            )
            for n in range(100_000)
        )

    def pipeline(self) -> float:
        """Sign, and return once the PDF is stored (the task runs on commit, eagerly)."""
        from agreements import services
        from agreements.models import SignedDocument

        signer = next(self.people)
        start = time.perf_counter()
        signature = services.sign(
            form=self.form,
            signer=signer,
            typed_name=signer.full_name,
            statements_agreed=list(range(1, len(STATEMENTS) + 1)),
            submission_key=secrets.token_urlsafe(24),
        )
        elapsed = time.perf_counter() - start
        assert SignedDocument.objects.filter(signature=signature).exists(), "the PDF was not stored"
        self.last_signature = signature
        return elapsed

    def baseline(self, html: str, **options) -> float:
        from weasyprint import HTML

        from agreements.pdf import _base_url

        start = time.perf_counter()
        HTML(string=html, base_url=_base_url()).write_pdf(**options)
        return time.perf_counter() - start


def run(args) -> int:
    from django.core import mail
    from django.db import connection

    from agreements.pdf import PDF_VARIANT, signed_pdf_html

    bench = Bench()
    print(
        f"Signing pipeline bench: {connection.vendor}, {len(STATEMENTS)} statements, median of {args.repeat} runs each"
    )
    bench.pipeline()  # warm up: templates, fonts, WeasyPrint's caches
    html = signed_pdf_html(bench.last_signature)
    bench.baseline(html, pdf_variant=PDF_VARIANT)

    base, pipe, plain = [], [], []
    for _ in range(args.repeat):  # interleaved, so both see the same machine
        base.append(bench.baseline(html, pdf_variant=PDF_VARIANT))
        pipe.append(bench.pipeline())
        plain.append(bench.baseline(html))
        mail.outbox = []
    b, p, q = statistics.median(base), statistics.median(pipe), statistics.median(plain)
    ratio = p / b
    print()
    print(f"{'baseline: bare WeasyPrint, same HTML, PDF/A-3b':52}{b * 1000:>10.1f} ms")
    print(f"{'pipeline: services.sign + render_signed_pdf':52}{p * 1000:>10.1f} ms")
    print(f"{'(for information) bare WeasyPrint, plain PDF':52}{q * 1000:>10.1f} ms")
    print()
    print(f"ratio pipeline/baseline: {ratio:.2f}")
    within = ratio <= TARGET_RATIO
    print(f"ratio ≤ {TARGET_RATIO:g}: {'yes' if within else 'no'}")
    return 0 if within else 1


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=15, help="timed runs of each (median)")
    args = parser.parse_args(argv)

    django_setup()
    import logging

    from django.conf import settings

    logging.disable(logging.INFO)  # WeasyPrint and Celery report every step at INFO
    with tempfile.TemporaryDirectory(prefix="bench-signed-") as media, test_database():
        settings.PRIVATE_MEDIA_ROOT = media  # private storage reads the setting each time
        return run(args)


if __name__ == "__main__":
    sys.exit(main())
