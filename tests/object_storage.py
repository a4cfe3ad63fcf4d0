"""A real S3-compatible server for the tests: moto in server mode, listening on a free
port of this machine (127.0.0.1 only), started once per test process. Each test that
asks for `object_storage` gets a fresh bucket, private as a deployment's must be, and
the portal's default and private storages pointed at it, as AWS_STORAGE_BUCKET_NAME
does in production (config/settings.py, core/s3.py)."""

import logging
import urllib.error
import urllib.request
import uuid

import pytest

REGION = "eu-west-2"
ACCESS_KEY = "portal-tests"
SECRET_KEY = "portal-tests-secret"


class Bucket:
    def __init__(self, endpoint: str, name: str):
        import boto3

        self.endpoint, self.name = endpoint, name
        self.client = boto3.client(
            "s3",
            endpoint_url=endpoint,
            region_name=REGION,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
        )

    def create(self):
        self.client.create_bucket(Bucket=self.name, CreateBucketConfiguration={"LocationConstraint": REGION})

    def keys(self, prefix: str = "") -> list[str]:
        listing = self.client.list_objects_v2(Bucket=self.name, Prefix=prefix)
        return sorted(item["Key"] for item in listing.get("Contents", []))

    def read(self, key: str) -> bytes:
        return self.client.get_object(Bucket=self.name, Key=key)["Body"].read()

    def public_grants(self, key: str) -> list:
        """Grants of the object to everyone or to any AWS user."""
        grants = self.client.get_object_acl(Bucket=self.name, Key=key)["Grants"]
        return [
            g
            for g in grants
            if "AllUsers" in g["Grantee"].get("URI", "") or "Authenticated" in g["Grantee"].get("URI", "")
        ]

    def anonymous_get(self, key: str) -> int:
        """The HTTP status of a GET of the object's URL without credentials."""
        try:
            with urllib.request.urlopen(f"{self.endpoint}/{self.name}/{key}", timeout=10) as response:  # noqa: S310
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    def storage_options(self, location: str) -> dict:
        return {
            "bucket_name": self.name,
            "endpoint_url": self.endpoint,
            "region_name": REGION,
            "access_key": ACCESS_KEY,
            "secret_key": SECRET_KEY,
            "addressing_style": "path",
            "location": location,
        }

    def storages(self) -> dict:
        """STORAGES entries putting default and private media in this bucket."""
        return {
            "default": {"BACKEND": "core.s3.PrivateS3Storage", "OPTIONS": self.storage_options("media")},
            "private": {"BACKEND": "core.s3.PrivateS3Storage", "OPTIONS": self.storage_options("private")},
        }

    def environment(self) -> dict:
        """The environment that gives a portal process this bucket (config/settings.py)."""
        return {
            "AWS_STORAGE_BUCKET_NAME": self.name,
            "AWS_S3_ENDPOINT_URL": self.endpoint,
            "AWS_S3_REGION_NAME": REGION,
            "AWS_S3_ADDRESSING_STYLE": "path",
            "AWS_ACCESS_KEY_ID": ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
        }


@pytest.fixture(scope="session")
def s3_server():
    """The endpoint URL of a moto S3 server running in a thread of this process."""
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # not a line per request
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3_bucket(s3_server):
    """A new, empty, private bucket on the server."""
    bucket = Bucket(s3_server, f"aup-test-{uuid.uuid4().hex[:16]}")
    bucket.create()
    return bucket


@pytest.fixture
def object_storage(settings, s3_bucket):
    """The portal's default and private media in a fresh bucket for this test."""
    settings.STORAGES = {**settings.STORAGES, **s3_bucket.storages()}
    return s3_bucket
