"""A real S3-compatible server for the storage tests: moto's standalone server, started
as a process of its own on a free port of 127.0.0.1 and spoken to over HTTP, as Waymark
speaks to a bucket in production; and the settings that put evidence and media in it."""

import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import boto3
import pytest

from config.settings.storage import object_storages

BUCKET = "waymark-test"
REGION = "eu-west-2"
STARTS_WITHIN = 30  # seconds
STOPS_WITHIN = 10


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def answers(endpoint: str) -> bool:
    try:
        with urllib.request.urlopen(endpoint, timeout=1):  # noqa: S310 (our own server's address)
            return True
    except (urllib.error.URLError, OSError):
        return False


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory):
    """moto_server on a free port, with an empty private bucket; its address. Stopped at
    the end of the session (killed if it does not stop when asked)."""
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    log = tmp_path_factory.mktemp("moto") / "moto_server.log"
    with log.open("wb") as output:
        server = subprocess.Popen(
            [Path(sys.executable).with_name("moto_server"), "-H", "127.0.0.1", "-p", str(port)],
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + STARTS_WITHIN
        while not answers(endpoint):
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"moto_server did not start on {endpoint}:\n{log.read_text()}")
            time.sleep(0.2)
        client(endpoint).create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION}
        )
        yield endpoint
    finally:
        server.terminate()
        try:
            server.wait(timeout=STOPS_WITHIN)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=STOPS_WITHIN)


def client(endpoint: str):
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


class Bucket:
    """The test bucket as the tests look into it, past Waymark."""

    def __init__(self, endpoint: str):
        self.s3 = client(endpoint)

    def keys(self, prefix: str = "") -> list[str]:
        pages = self.s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=prefix)
        return sorted(entry["Key"] for page in pages for entry in page.get("Contents", ()))

    def read(self, key: str) -> bytes:
        return self.s3.get_object(Bucket=BUCKET, Key=key)["Body"].read()

    def put(self, key: str, content: bytes) -> None:
        self.s3.put_object(Bucket=BUCKET, Key=key, Body=content)

    def delete(self, key: str) -> None:
        self.s3.delete_object(Bucket=BUCKET, Key=key)

    def acl_grants(self, key: str) -> list[dict]:
        return self.s3.get_object_acl(Bucket=BUCKET, Key=key)["Grants"]

    def empty(self) -> None:
        for key in self.keys():
            self.delete(key)


@pytest.fixture
def bucket(s3_server, settings, monkeypatch):
    """Evidence and media in the test bucket, configured as WAYMARK_S3_BUCKET and
    WAYMARK_S3_ENDPOINT_URL configure them; the bucket, emptied after the test."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    in_the_bucket = object_storages(bucket=BUCKET, endpoint=s3_server, region=REGION)
    settings.STORAGES = {**settings.STORAGES, **in_the_bucket}
    seen = Bucket(s3_server)
    yield seen
    seen.empty()
