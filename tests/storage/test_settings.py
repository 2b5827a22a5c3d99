"""WAYMARK_S3_BUCKET and its companions, as the settings resolve them in a new process
with only that environment: the storages a bucket makes, and the half configurations
that are refused at start."""

import json
import subprocess

import pytest

from tests.settings_probe import in_waymark_process

# Read in processes of their own, with the environment each test gives them: the suite's
# database has no part in it.
pytestmark = pytest.mark.any_database

PRODUCTION = {
    "WAYMARK_ENVIRONMENT": "production",
    "SECRET_KEY": "a-production-key-for-the-storage-settings-tests-" + "q8" * 20,
    "ALLOWED_HOSTS": "waymark.example.org",
}
BUCKET = {
    "WAYMARK_S3_BUCKET": "waymark-evidence",
    "WAYMARK_S3_ENDPOINT_URL": "https://s3.example.org",
    "WAYMARK_S3_REGION": "eu-west-2",
    "AWS_ACCESS_KEY_ID": "AKIAEXAMPLE",
    "AWS_SECRET_ACCESS_KEY": "secret-example",
}

PROBE = """
import json

import django

django.setup()
from django.core.files.storage import storages
from django.urls import Resolver404, resolve


def media_image_view():
    try:
        return resolve("/media/images/logo.png").func.__name__
    except Resolver404:
        return None


print(json.dumps({"media_image_view": media_image_view()} | {
    alias: {
        "class": type(storages[alias]).__name__,
        **{
            key: getattr(storages[alias], key, None)
            for key in (
                "bucket_name", "location", "endpoint_url", "region_name", "addressing_style",
                "default_acl", "querystring_auth", "file_overwrite", "access_key",
            )
        },
    }
    for alias in ("default", "evidence")
}, default=str))
"""


def load_settings(tmp_path, **environment: str) -> subprocess.CompletedProcess:
    return in_waymark_process(tmp_path, PROBE, **environment)


def test_a_bucket_holds_evidence_and_media_under_their_own_prefixes_privately(tmp_path):
    result = load_settings(tmp_path, **PRODUCTION, **BUCKET)
    assert result.returncode == 0, result.stderr
    stores = json.loads(result.stdout)
    assert stores["media_image_view"] == "serve_image"
    for alias, prefix, kind in [("default", "media", "MediaInBucket"), ("evidence", "evidence", "S3Storage")]:
        assert stores[alias] == {
            "class": kind,
            "bucket_name": "waymark-evidence",
            "location": prefix,
            "endpoint_url": "https://s3.example.org",
            "region_name": "eu-west-2",
            "addressing_style": "path",
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
            "access_key": "AKIAEXAMPLE",  # read from the environment by django-storages
        }


def test_without_a_bucket_evidence_and_media_stay_in_local_folders(tmp_path):
    result = load_settings(tmp_path, **PRODUCTION)
    assert result.returncode == 0, result.stderr
    stores = json.loads(result.stdout)
    assert stores["evidence"]["class"] == stores["default"]["class"] == "FileSystemStorage"
    assert stores["evidence"]["location"] == str(tmp_path / "evidence")
    assert stores["media_image_view"] is None  # nginx serves them from the folder


def without(*names: str) -> dict:
    return {name: value for name, value in BUCKET.items() if name not in names}


@pytest.mark.parametrize(
    ("environment", "refusal"),
    [
        (
            without("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"),
            "WAYMARK_S3_BUCKET needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in production",
        ),
        (without("AWS_SECRET_ACCESS_KEY"), "WAYMARK_S3_BUCKET is set with AWS_ACCESS_KEY_ID but without"),
        (
            without("WAYMARK_S3_BUCKET"),
            "WAYMARK_S3_ENDPOINT_URL and WAYMARK_S3_REGION need WAYMARK_S3_BUCKET",
        ),
        (
            {**BUCKET, "EVIDENCE_STORAGE_BACKEND": "storages.backends.s3.S3Storage"},
            "Set WAYMARK_S3_BUCKET or EVIDENCE_STORAGE_BACKEND, not both",
        ),
        (
            {**BUCKET, "WAYMARK_S3_ENDPOINT_URL": "http://minio.example.org:9000"},
            "is plain HTTP to another machine",
        ),
    ],
)
def test_half_an_object_storage_is_refused_in_production_saying_what_is_missing(
    tmp_path, environment, refusal
):
    result = load_settings(tmp_path, **PRODUCTION, **environment)
    assert result.returncode != 0
    assert refusal in result.stderr


def test_out_of_production_the_credentials_may_come_from_boto3s_own_search(tmp_path):
    result = load_settings(tmp_path, **without("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["evidence"]["bucket_name"] == "waymark-evidence"
