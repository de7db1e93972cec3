"""Cache reads that degrade to the database: Redis down means a miss, not a 500."""

import logging
from typing import Any

from django.core.cache import cache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger("crm.outage")

CACHE_DOWN = (RedisConnectionError, RedisTimeoutError)


def cache_get(key: str) -> Any:
    """The cached value, or None when it is missing or Redis does not answer."""
    try:
        return cache.get(key)
    except CACHE_DOWN:
        logger.warning("cache unavailable, reading %s from the database", key)
        return None


def cache_set(key: str, value: Any, timeout: int | None) -> None:
    """Store a value; skipped (logged) when Redis does not answer."""
    try:
        cache.set(key, value, timeout)
    except CACHE_DOWN:
        logger.warning("cache unavailable, %s not stored", key)


def cache_delete(key: str) -> None:
    """Forget a value; skipped (logged) when Redis does not answer."""
    try:
        cache.delete(key)
    except CACHE_DOWN:
        logger.warning("cache unavailable, %s not deleted", key)
