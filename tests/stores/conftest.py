"""A real Redis server on a loopback port for the tests that need one, started and stopped here."""
from __future__ import annotations

import pytest

from redis_proc import RedisProcess


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    server = RedisProcess(tmp_path_factory.mktemp("redis"))
    yield server.url
    server.stop()
