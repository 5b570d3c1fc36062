"""API tests call through chalice.test.Client, whose requests all come from one source address. Each test
gets a client address of its own (a /24 of its own), so per-network abuse limits count each test apart,
as they would count different customers."""
import random

import pytest


@pytest.fixture(autouse=True)
def client_address(monkeypatch) -> str:
    from chalice.local import LambdaEventConverter
    address = f"10.{random.randrange(256)}.{random.randrange(256)}.{random.randrange(1, 255)}"
    monkeypatch.setattr(LambdaEventConverter, "LOCAL_SOURCE_IP", address)
    return address


@pytest.fixture(scope="module")
def client(aws_stack):
    """The app's routes through chalice.test.Client, against the moto stack (one per test module)."""
    from chalice.test import Client

    from app import app
    with Client(app) as test_client:
        yield test_client
