"""What the portal's digital signature (PAdES, core/signing.py) adds to making a signed PDF.

    DJANGO_SETTINGS_MODULE=config.settings_test .venv/bin/python -m bench.signing

Per document, measured in turn (interleaved) `--repeat` times each, in the same run, on
the HTML of a real signed agreement (the template, its QR code, the shipped fonts):

  unsigned  core.pdf.render_pdf(html): today's rendering, WeasyPrint to PDF/A-3b;
  signed    core.pdf.render_signed_pdf(html): the same, then the portal's certification
            signature (EC P-256 key, as `make_signing_key` makes);
  and, for information, core.signing.sign_pdf alone on the rendered bytes.

With --tsa, the signature also carries an RFC 3161 timestamp from a timestamp server on
127.0.0.1 in a process of its own (pyHanko's test authority, over HTTP): a real
authority adds its network round trip on top (typically 50-300 ms).

It prints the medians, the difference (the target in issue 20: at most 100 ms per
document) and the ratio signed/unsigned; the exit status is 0 only if the difference
is within 100 ms. Its own test database and signing key, removed afterwards.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time

from bench._setup import django_setup, test_database

TARGET_MS = 100.0


def make_html() -> str:
    """The signed-PDF HTML of a staff agreement signed through the service (its PDF is
    made on the way, eagerly, as in the tests: a first warm-up)."""
    from agreements.pdf import signed_pdf_html
    from bench.signing_pipeline import Bench

    bench = Bench()
    bench.pipeline()
    return signed_pdf_html(bench.last_signature)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--tsa", action="store_true", help="timestamp each signature (a local authority)")
    args = parser.parse_args()
    django_setup()
    from django.conf import settings

    from core.pdf import render_pdf, render_signed_pdf
    from core.signing import sign_pdf

    with tempfile.TemporaryDirectory() as folder, test_database():
        settings.PDF_SIGNING_DIR = f"{folder}/signing"
        settings.PDF_SIGNING_P12 = ""
        settings.PRIVATE_MEDIA_ROOT = f"{folder}/private"
        stop = None
        if args.tsa:
            # In a process of its own: its work (RSA, ASN.1) is the authority's, not ours.
            server = subprocess.Popen(
                [sys.executable, "-m", "tests.signing", folder], stdout=subprocess.PIPE, text=True
            )
            settings.PDF_TSA_URL = server.stdout.readline().strip()
            stop = server.terminate
        try:
            html = make_html()
            # Warm-up: fonts, the key (made here), pyHanko's imports, the first timestamp.
            render_pdf(html)
            render_signed_pdf(html, reason="bench")
            unsigned, signed, alone = [], [], []
            for _ in range(args.repeat):
                start = time.perf_counter()
                rendered = render_pdf(html)
                unsigned.append(time.perf_counter() - start)
                start = time.perf_counter()
                render_signed_pdf(html, reason="bench")
                signed.append(time.perf_counter() - start)
                start = time.perf_counter()
                sign_pdf(rendered, reason="bench")
                alone.append(time.perf_counter() - start)
        finally:
            if stop:
                stop()
    base, total = statistics.median(unsigned), statistics.median(signed)
    difference_ms = (total - base) * 1000
    print(f"documents: {args.repeat} each, interleaved; timestamp: {'local authority' if args.tsa else 'none'}")
    print(f"unsigned (render_pdf)         median {base * 1000:7.1f} ms")
    print(f"signed (render_signed_pdf)    median {total * 1000:7.1f} ms")
    print(f"difference signed - unsigned         {difference_ms:7.1f} ms per document")
    print(f"ratio signed/unsigned                {total / base:7.2f}")
    print(f"signing alone (sign_pdf), median     {statistics.median(alone) * 1000:7.1f} ms")
    within = difference_ms <= TARGET_MS
    print(f"difference <= {TARGET_MS:.0f} ms: {'yes' if within else 'no'}")
    return 0 if within else 1


if __name__ == "__main__":
    sys.exit(main())
