"""Operator commands and proxy settings."""

from sqlmodel import SQLModel, select

from matchmaker import create_app
from matchmaker.db import get_engine
from matchmaker.models import Product, User
from tests.conftest import make_config


def test_seed_catalogue_and_add_staff(runner, db):
    assert "17 products" in runner.invoke(args=["seed-catalogue"]).output
    refused = runner.invoke(args=["add-staff", "staff@assoc.cn", "Zhao", "--password", "long password 1"])
    assert refused.exit_code != 0 and "credit-code" in refused.output
    result = runner.invoke(args=["add-staff", "staff@assoc.cn", "Zhao", "--password", "long password 1",
                                 "--credit-code", "91110000802100433B"])
    assert result.exit_code == 0, result.output
    user = db.exec(select(User).where(User.email == "staff@assoc.cn")).one()
    assert user.role == "staff"
    assert db.get(Product, "lfp-cell") is not None


def test_close_expired_command(runner):
    assert "0 listings closed" in runner.invoke(args=["close-expired"]).output


def test_client_address_comes_from_the_proxy_when_configured():
    app = create_app(make_config(PROXY_FIX_X_FOR=1))
    SQLModel.metadata.create_all(get_engine(app))
    client = app.test_client()
    for i in range(10):
        client.post("/login", data={"email": f"x{i}@example.cn", "password": "x"},
                    headers={"X-Forwarded-For": "203.0.113.7"})
    blocked = client.post("/login", data={"email": "y@example.cn", "password": "x"}, headers={"X-Forwarded-For": "203.0.113.7"})
    other = client.post("/login", data={"email": "y@example.cn", "password": "x"}, headers={"X-Forwarded-For": "203.0.113.8"})
    assert (blocked.status_code, other.status_code) == (429, 401)
