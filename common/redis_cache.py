"""Django's Redis cache, with one Redis client for each connection pool.

Django's ``RedisCacheClient`` makes a new ``redis.Redis`` for every operation, and each
one builds its table of response callbacks afresh: a GET measured here took 0.44-0.73 ms
that way and 0.27-0.44 ms with one client kept, and a signed-in request reads its
session with one. Django gives each thread its cache object, and so its pools; a
``redis.Redis`` is safe to share between threads all the same (every command borrows a
connection from the pool and gives it back).
"""

from django.core.cache.backends import redis


class _OneClientPerPool(redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _OneClientPerPool
