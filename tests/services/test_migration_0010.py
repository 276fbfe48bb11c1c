"""Migration 0010: contracts signed before it keep their meaning under the two-leg price terms."""

from sqlalchemy import text

from matchmaker import create_app
from matchmaker.migrate import upgrade
from tests.conftest import make_config

NOW = "2027-01-15 00:00:00"
ROWS = {
    "organisation": [{"id": i, "name": f"Org {i}", "credit_code": f"9136000000000000{i:02d}", "region": "jiangxi",
                      "tiers": "[]", "contact_name": "x", "contact_phone": "x", "contact_email": "x@example.cn",
                      "status": "approved", "created_at": NOW} for i in (1, 2)],
    "product": [{"id": "lithium-carbonate", "name_zh": "碳酸锂", "name_en": "Lithium carbonate", "tier": "material2",
                 "unit": "t", "updated_at": NOW}],
    "user_account": [{"id": 1, "org_id": 1, "email": "s@example.cn", "name": "s", "role": "staff",
                      "password_hash": "x", "active": True, "created_at": NOW}],
    "offer": [{"id": 1, "org_id": 1, "product_id": "lithium-carbonate", "region": "jiangxi", "monthly_qty": 400,
               "start": "2027-01", "end": "2027-12", "min_term_months": 1, "min_monthly_qty": 0,
               "price_basis": "index", "delivery_terms": "DAP", "delivery_notes": "", "status": "open",
               "created_at": NOW, "updated_at": NOW, "certifications": "[]"}],
    "demand": [{"id": 1, "org_id": 2, "product_id": "lithium-carbonate", "region": "fujian", "monthly_qty": 300,
                "start": "2027-01", "end": "2027-12", "min_term_months": 1, "min_monthly_qty": 0,
                "price_basis": "fixed", "price": 76000, "delivery_terms": "DAP", "delivery_notes": "",
                "status": "open", "created_at": NOW, "updated_at": NOW, "required_certifications": "[]",
                "own_supply": 0}],
    "matching_run": [{"id": i, "request_key": f"k{i}", "created_by": 1, "created_at": NOW, "products": "[]",
                      "time_limit": 30, "market": "{}", "skipped": "[]", "state": "finished"} for i in (1, 2)],
    "proposal": [{"id": i, "run_id": i, "offer_id": 1, "demand_id": 1, "supplier_org_id": 1, "buyer_org_id": 2,
                  "product_id": "lithium-carbonate", "monthly_qty": 100, "proposed_qty": 100, "start": "2027-01",
                  "end": "2027-12", "months": 12, "unit_margin": 5000, "price": 73500, "freight": 180.0,
                  "surplus": 0, "locked": False, "state": "contracted", "reason": "", "supplier_response": "accepted",
                  "buyer_response": "accepted", "updated_at": NOW} for i in (1, 2)],
}
CONTRACT = {"offer_id": 1, "demand_id": 1, "supplier_org_id": 1, "buyer_org_id": 2, "product_id": "lithium-carbonate",
            "origin_region": "jiangxi", "delivery_region": "fujian", "delivery_terms": "DAP", "monthly_qty": 100,
            "start": "2027-01", "end": "2027-12", "unit_price": 73500, "created_at": NOW}


def insert(conn, table: str, row: dict) -> None:  # type: ignore[no-untyped-def]
    columns = ", ".join(f'"{name}"' for name in row)
    values = ", ".join(f":{name}" for name in row)
    conn.execute(text(f"INSERT INTO {table} ({columns}) VALUES ({values})"), row)


def test_an_old_index_linked_contract_becomes_the_sellers_leg_plus_its_premium(tmp_path):
    app = create_app(make_config(DATABASE_URL=f"sqlite:///{tmp_path}/m.db"))
    upgrade(app, "0009")
    engine = app.extensions["db_engine"]
    with engine.begin() as conn:
        for table, rows in ROWS.items():
            for row in rows:
                insert(conn, table, row)
        insert(conn, "contract", {**CONTRACT, "id": 1, "proposal_id": 1, "price_basis": "fixed"})
        insert(conn, "contract", {**CONTRACT, "id": 2, "proposal_id": 2, "price_basis": "index", "index_name": "gfex-lc",
                                  "index_adjustment": -8, "index_adjustment_kind": "percent", "price_floor": 50000,
                                  "price_ceiling": 90000, "premium": 3500})
    upgrade(app, "0010")
    with engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT id, price_basis, ask_basis, ask_index, ask_adjustment, ask_adjustment_kind, ask_floor, ask_ceiling,"
            " premium, freight, bid_basis FROM contract ORDER BY id")).all()
    assert [tuple(r) for r in rows] == [
        (1, "fixed", None, None, None, None, None, None, None, 180.0, None),
        (2, "premium", "index", "gfex-lc", -8, "percent", 50000, 90000, 3500, 180.0, None),
    ]


def test_downgrading_keeps_old_contracts_and_fixes_split_ones_at_their_price_at_signing(tmp_path):
    from alembic import command

    from matchmaker.migrate import alembic_config

    app = create_app(make_config(DATABASE_URL=f"sqlite:///{tmp_path}/m.db"))
    upgrade(app, "0010")
    engine = app.extensions["db_engine"]
    with engine.begin() as conn:
        for table, rows in ROWS.items():
            for row in rows:
                insert(conn, table, row)
        insert(conn, "contract", {**CONTRACT, "id": 1, "proposal_id": 1, "price_basis": "premium", "ask_basis": "index",
                                  "ask_index": "gfex-lc", "ask_adjustment": -8, "premium": 3500})
        insert(conn, "contract", {**CONTRACT, "id": 2, "proposal_id": 2, "price_basis": "split", "ask_basis": "index",
                                  "ask_index": "gfex-lc", "bid_basis": "fixed", "bid_price": 76000, "freight": 180})
    command.downgrade(alembic_config(app), "0009")
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT id, price_basis, index_name, index_adjustment, premium, unit_price"
                                 " FROM contract ORDER BY id")).all()
    assert [tuple(r) for r in rows] == [(1, "index", "gfex-lc", -8, 3500, 73500), (2, "fixed", None, None, None, 73500)]
