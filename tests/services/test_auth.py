"""Password checks and the failure limit (10 a minute per account and per address)."""

from datetime import UTC, datetime, timedelta

import pytest

from matchmaker.services.auth import authenticate
from matchmaker.services.errors import InvalidCredentials, RateLimited
from tests.conftest import PASSWORD

T0 = datetime(2027, 1, 15, 9, 0, tzinfo=UTC)


@pytest.fixture
def member(factory):
    return factory.user(factory.org(), "buyer@example.cn")


def fail(db, email, address, at):
    with pytest.raises(InvalidCredentials):
        authenticate(db, email, "wrong password", address=address, now=at)


def test_right_password_returns_the_user(db, member):
    assert authenticate(db, "BUYER@example.cn ", PASSWORD, address="10.0.0.1", now=T0).id == member.id


def test_eleventh_attempt_within_a_minute_is_refused_even_with_the_right_password(db, member):
    for i in range(10):
        fail(db, "buyer@example.cn", f"10.0.0.{i}", T0 + timedelta(seconds=i))
    with pytest.raises(RateLimited):
        authenticate(db, "buyer@example.cn", PASSWORD, address="10.0.0.99", now=T0 + timedelta(seconds=30))


def test_ten_failures_from_one_address_block_other_accounts_from_it(db, member):
    for i in range(10):
        fail(db, f"guess{i}@example.cn", "10.9.9.9", T0)
    with pytest.raises(RateLimited):
        authenticate(db, "buyer@example.cn", PASSWORD, address="10.9.9.9", now=T0 + timedelta(seconds=5))
    assert authenticate(db, "buyer@example.cn", PASSWORD, address="10.0.0.1", now=T0 + timedelta(seconds=5))


def test_nine_failures_still_allow_a_login(db, member):
    for _ in range(9):
        fail(db, "buyer@example.cn", "10.0.0.1", T0)
    assert authenticate(db, "buyer@example.cn", PASSWORD, address="10.0.0.1", now=T0).id == member.id


def test_failures_older_than_a_minute_no_longer_count(db, member):
    for _ in range(10):
        fail(db, "buyer@example.cn", "10.0.0.1", T0)
    later = T0 + timedelta(seconds=61)
    assert authenticate(db, "buyer@example.cn", PASSWORD, address="10.0.0.1", now=later).id == member.id


def test_unknown_account_is_the_same_error_as_a_wrong_password(db, member):
    with pytest.raises(InvalidCredentials):
        authenticate(db, "nobody@example.cn", PASSWORD, address="10.0.0.1", now=T0)
