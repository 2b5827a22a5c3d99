"""The Redis cache backend keeps one client per connection pool (common.redis_cache)."""

import threading

import pytest
from django.core.cache.backends.redis import RedisCacheClient

from common.redis_cache import RedisCache
from tests.config.serving import redis_database

REDIS_DATABASE = 11  # its own: the cache and scale-out tests use 12 and 13


@pytest.fixture
def shared_cache(tmp_path):
    with redis_database(REDIS_DATABASE, tmp_path) as (url, client):
        yield RedisCache(url, {}), client


def test_every_operation_and_thread_uses_the_one_client_and_the_values_are_djangos(shared_cache):
    cache, client = shared_cache
    cache.set("greeting", {"text": "Hello"}, 60)
    first = cache._cache.get_client("greeting", write=True)
    assert cache.get("greeting") == {"text": "Hello"}
    assert cache.get_many(["greeting", "missing"]) == {"greeting": {"text": "Hello"}}
    assert cache.add("visits", 1, 60)
    assert cache.incr("visits") == 2
    assert cache._cache.get_client("visits") is first
    # Stored as Django's own backend stores it: a process on the stock backend reads it.
    stock = RedisCacheClient(cache._servers)
    assert stock.get(cache.make_key("greeting"), None) == {"text": "Hello"}
    cache.delete_many(["greeting", "visits"])
    assert client.dbsize() == 0

    # Threads share the client, and each gets its own answers. (One test: another on the
    # same Redis database, in another process of the suite, would empty it meanwhile.)
    answers = {}

    def count(name: str) -> None:
        for _ in range(50):
            cache.set(name, name, 60)
            answers.setdefault(name, set()).add(cache.get(name))

    threads = [threading.Thread(target=count, args=(f"thread-{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == {f"thread-{n}": {f"thread-{n}"} for n in range(4)}
    assert len(cache._cache._clients) == 1
    cache.clear()
