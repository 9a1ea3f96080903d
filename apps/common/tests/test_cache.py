import os
import uuid

from django.core.cache import cache

from apps.common.cache import PooledClientRedisCacheClient


def test_the_cache_reuses_one_redis_client_per_pool():
    assert isinstance(cache._cache, PooledClientRedisCacheClient)
    client = cache._cache.get_client(write=True)
    assert cache._cache.get_client(write=True) is client
    assert cache._cache.get_client() is client  # one server: reads use the same pool


def test_cache_operations_round_trip_through_redis_with_the_reused_client():
    key = f"test-cache-{uuid.uuid4().hex}"
    assert cache.add(key, 0, timeout=30) is True
    assert cache.add(key, 5, timeout=30) is False  # NX: the first value stays
    assert cache.incr(key) == 1
    assert cache.incr(key, 2) == 3
    assert cache.get(key) == 3
    cache.delete(key)
    assert cache.get(key) is None
    # The value is in Redis itself, under Django's prefixed key, not in a local copy.
    cache.set(key, "stored", timeout=30)
    raw = cache._cache.get_client().get(cache.make_and_validate_key(key))
    assert cache._cache._serializer.loads(raw) == "stored"
    cache.delete(key)


def test_a_forked_child_uses_its_own_connections_through_the_same_client():
    key = f"test-cache-fork-{uuid.uuid4().hex}"
    cache.set(key, "parent", timeout=30)  # the parent holds a pooled connection now
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: the inherited pool must not share the parent's socket
        try:
            cache.set(key, "child", timeout=30)
            os.write(write, str(cache.get(key)).encode())
        finally:
            os._exit(0)
    os.close(write)
    os.waitpid(pid, 0)
    assert os.read(read, 100) == b"child"
    os.close(read)
    assert cache.get(key) == "child"
    cache.delete(key)
