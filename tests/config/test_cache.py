"""The cache (config/settings/cache.py): each process's own memory without CACHE_URL, and
with it the Redis that every process shares, which the test shows with three processes
and the real Redis at 127.0.0.1:6379 (a database of its own, emptied before and after)."""

import json
import subprocess

import pytest
from wagtail.models.sites import SITE_ROOT_PATHS_CACHE_KEY, SITE_ROOT_PATHS_CACHE_VERSION

from tests.config.serving import redis_database
from tests.settings_probe import in_waymark_process

# Read in processes of their own, with the environment each test gives them: the suite's
# database has no part in it.
pytestmark = pytest.mark.any_database

REDIS_DATABASE = 13  # not 0, the one anything else on the machine would use


def run(tmp_path, code: str, **environment: str) -> subprocess.CompletedProcess:
    """``code`` in a new process of Waymark with only this environment; nothing touches
    the database."""
    return in_waymark_process(tmp_path, f"import json\nimport django\ndjango.setup()\n{code}", **environment)


def answer(tmp_path, code: str, **environment: str):
    result = run(tmp_path, code, **environment)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


SETTINGS = """
from django.conf import settings
print(json.dumps([settings.CACHES, getattr(settings, "WAGTAIL_REDIRECTS_FILE_STORAGE", "tmp_file")]))
"""
SESSIONS = """
from django.conf import settings
print(json.dumps(settings.SESSION_ENGINE))
"""


def test_sessions_are_read_from_the_shared_cache_only(tmp_path):
    """With a cache of its own, one process would go on reading a session another had
    changed: so sessions are read from the cache only when every process shares it."""
    assert answer(tmp_path, SESSIONS) == "django.contrib.sessions.backends.db"
    shared = answer(tmp_path, SESSIONS, CACHE_URL="redis://127.0.0.1:6379/2")
    assert shared == "django.contrib.sessions.backends.cached_db"


def test_without_cache_url_each_process_caches_in_its_own_memory(tmp_path):
    caches, redirect_imports = answer(tmp_path, SETTINGS)
    assert caches == {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert redirect_imports == "tmp_file"  # Wagtail's default, a file in this machine's /tmp


def test_cache_url_is_djangos_redis_cache_with_one_client_per_pool(tmp_path):
    caches, redirect_imports = answer(
        tmp_path, SETTINGS, CACHE_URL="rediss://:secret@cache.example.org:6380/2"
    )
    assert caches == {
        "default": {
            "BACKEND": "common.redis_cache.RedisCache",
            "LOCATION": "rediss://:secret@cache.example.org:6380/2",
        }
    }
    # The upload kept between the import's two steps, where every process finds it.
    assert redirect_imports == "cache"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("memcached://127.0.0.1:11211", "CACHE_URL must be redis://HOST:PORT/DB (rediss:// over TLS), not"),
        ("redis:///1", "CACHE_URL must be redis://HOST:PORT/DB (rediss:// over TLS), not 'redis:///1'"),
        ("redis://127.0.0.1:6379/cache", "CACHE_URL's database must be a number (redis://HOST:PORT/1)"),
        ("redis://:hunter2@127.0.0.1:port/1", "CACHE_URL's port must be a number, not 'redis://:…@127.0.0.1"),
        # A password that is also a word of the rest of the URL is left out all the same.
        ("redis://:redis@cache:6379/x", "not 'redis://:…@cache:6379/x'"),
    ],
)
def test_a_cache_url_that_is_not_redis_is_refused_saying_why(tmp_path, url, message):
    result = run(tmp_path, "", CACHE_URL=url)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr
    assert "hunter2" not in result.stderr  # a password is not written to the log


@pytest.fixture
def redis_cache(tmp_path):
    with redis_database(REDIS_DATABASE, tmp_path) as (url, client):
        yield url, client


# Wagtail's cache entry of the sites' root paths, in a process of its own.
ROOT_PATHS = """
from django.core.cache import cache
from wagtail.models import Site
from wagtail.models.sites import SITE_ROOT_PATHS_CACHE_KEY as KEY, SITE_ROOT_PATHS_CACHE_VERSION as V

"""


def in_a_process(tmp_path, cache_url: str, code: str):
    return answer(tmp_path, ROOT_PATHS + code, CACHE_URL=cache_url)


def test_with_cache_url_what_one_process_caches_or_forgets_every_process_sees(tmp_path, redis_cache):
    url, client = redis_cache
    # A gunicorn process reads the sites' root paths (as Wagtail does for a page's
    # address) and caches them.
    cached = in_a_process(
        tmp_path,
        url,
        "cache.set(KEY, [[1, '/home/', 'https://waymark.example.org', 'en-gb']], 3600, version=V)\n"
        "print(json.dumps(cache.get(KEY, version=V)))",
    )
    assert cached == [[1, "/home/", "https://waymark.example.org", "en-gb"]]
    # In Redis, under Django's name for the key (prefix, version, key), in the test's database.
    assert client.keys() == [f":{SITE_ROOT_PATHS_CACHE_VERSION}:{SITE_ROOT_PATHS_CACHE_KEY}".encode()]

    # Another process finds them there; then a site changes in it, and Wagtail forgets them.
    found = in_a_process(
        tmp_path,
        url,
        "found = cache.get(KEY, version=V)\nSite.clear_site_root_paths_cache()\nprint(json.dumps(found))",
    )
    assert found == cached

    # A third reads them afresh rather than serve the old ones.
    assert in_a_process(tmp_path, url, "print(json.dumps(cache.get(KEY, version=V)))") is None
    assert client.dbsize() == 0
