"""Every form carries a CSRF token; GET never changes anything."""

import re

from sqlalchemy import text
from sqlmodel import SQLModel

from matchmaker.models import Offer


def snapshot(db) -> dict[str, list]:
    return {t.name: db.execute(text(f'SELECT * FROM "{t.name}" ORDER BY 1')).all()
            for t in SQLModel.metadata.sorted_tables if t.name != "login_failure"}


def test_every_post_form_has_a_csrf_token_and_every_get_leaves_the_database_alone(client, auth, factory, db, app):
    factory.catalogue()
    org = factory.org()
    factory.org("Pending Co", status="pending")
    factory.user(org, "seller@example.cn")
    factory.user(factory.org("Association", tiers=["system"]), "staff@example.cn", role="staff")
    db.add(Offer(org_id=org.id, product_id="lithium-carbonate", region="jiangxi", monthly_qty=10, start="2027-02", end="2027-12", price=1))
    db.commit()
    forms_seen = 0
    for email in ("seller@example.cn", "staff@example.cn"):
        auth.login(email)
        before = snapshot(db)
        for rule in app.url_map.iter_rules():
            if "GET" not in rule.methods or rule.endpoint == "static":
                continue
            values = {"kinds": "offers", "listing_id": 1, "org_id": 2, "product_id": "lfp-cell", "cert_id": 1,
                      "run_id": 1, "proposal_id": 1, "contract_id": 1, "alert_id": 1, "bulletin_id": 1,
                      "project_id": 1, "lang": "zh", "fmt": "csv"}
            url = rule.build({k: values[k] for k in rule.arguments})[1]
            body = client.get(url).get_data(as_text=True)
            for form in re.findall(r"<form[^>]*method=\"post\".*?</form>", body, re.DOTALL):
                forms_seen += 1
                assert 'name="csrf_token"' in form, (url, form[:200])
        db.expire_all()
        assert snapshot(db) == before
        auth.logout()
    assert forms_seen > 20
