"""No route, for any role, shows another organisation's name, price, volume or contact.

Walks every rule of ``app.url_map`` with every id that exists, in both languages, as HTML and as
JSON, with GET and with an empty POST, and searches the answers for the secrets.
"""

import io
import itertools
import re
from datetime import date

import pytest
from flask import Flask
from openpyxl import load_workbook

from matchmaker.models import Certification, Demand, Offer

SECRETS_OF_B = {
    "name": "Secretive Beta Cathode",
    "credit_code": None,  # filled in by the fixture
    "contact": "beta-sales@beta.example.cn",
    "phone": "0591-88776655",
    "offer price": "91234.5",
    "demand price": "87654.25",
    "index floor": "55555",
    "index ceiling": "66666",
    "monthly volume": "2345.5",
    "notes": "Beta private terms",
    "certificate": "BETA-CERT-4242",
}


def spellings(value: str) -> set[str]:
    """The ways a number can be printed: raw, grouped, and without a trailing .0."""
    out = {value}
    if re.fullmatch(r"\d+(\.\d+)?", value):
        whole, _, frac = value.partition(".")
        grouped = f"{int(whole):,}"
        out |= {grouped + ("." + frac if frac else ""), f"{float(value):g}"}
    return out


@pytest.fixture
def world(factory, db):
    factory.catalogue()
    a = factory.org("Alpha Lithium", region="jiangxi")
    b = factory.org(SECRETS_OF_B["name"], region="fujian")
    db.add(Certification(org_id=b.id, name="ISO9001", number=SECRETS_OF_B["certificate"], expiry=date(2030, 1, 1)))
    b.contact_email, b.contact_phone = SECRETS_OF_B["contact"], SECRETS_OF_B["phone"]
    db.add(b)
    pending = factory.org("Pending Gamma", status="pending")
    assoc = factory.org("Battery Association", tiers=["system"])
    factory.user(a, "a@example.cn")
    factory.user(b, "b@example.cn")
    factory.user(pending, "c@example.cn")
    factory.user(assoc, "staff@example.cn", role="staff")
    common = {"region": "fujian", "start": "2027-02", "end": "2028-12", "delivery_terms": "DAP"}
    db.add(Offer(org_id=a.id, product_id="lithium-carbonate", monthly_qty=500, price=73456.5, **{**common, "region": "jiangxi"}))
    db.add(Offer(org_id=b.id, product_id="lfp-cathode", monthly_qty=2345.5, price=91234.5, delivery_notes=SECRETS_OF_B["notes"], **common))
    db.add(Offer(org_id=b.id, product_id="lithium-carbonate", monthly_qty=2345.5, price_basis="index", index_name="gfex-lc",
                 index_adjustment=-7, index_adjustment_kind="percent", price_floor=55555, price_ceiling=66666, **common))
    db.add(Demand(org_id=b.id, product_id="lithium-carbonate", monthly_qty=2345.5, price=87654.25, **common))
    db.add(Demand(org_id=a.id, product_id="lfp-cathode", monthly_qty=40, price=35000, **{**common, "region": "jiangxi"}))
    db.commit()
    SECRETS_OF_B["credit_code"] = b.credit_code
    return {"a": a, "b": b, "pending": pending, "assoc": assoc}


def urls(app: Flask, world, db):
    values = {
        "kinds": ["offers", "demands"],
        "listing_id": [1, 2, 3],
        "org_id": [org.id for org in world.values()],
        "product_id": ["lfp-cathode"],
        "cert_id": [1],
        "run_id": [1],
        "proposal_id": [1],
        "contract_id": [1],
        "action": ["approve", "reject", "forbid", "reduce"],
        "answer": ["accept", "decline"],
        "step": ["acknowledge", "resolve"],
        "alert_id": [1],
        "bulletin_id": [1],
        "project_id": [1],
        "lang": ["zh", "en"],
        "token_id": [1],
        "override_id": [1],
        "fmt": ["csv", "xlsx"],
    }
    queries = ["", "?status=all", "?q=Beta", "?side=offer&status=all&page=1"]
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in ("static", "auth.logout"):  # logging out would end the walk's session
            continue
        args = sorted(rule.arguments)
        for combo in itertools.product(*(values[a] for a in args)):
            path = rule.build(dict(zip(args, combo)))[1]
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                for query in queries if method == "GET" else [""]:
                    found.append((method, path + query))
    return found


def visible_text(body: str) -> str:
    return re.sub(r'name="csrf_token" value="[^"]*"', "", body)


def body_text(response) -> str:  # type: ignore[no-untyped-def]
    """The answer as text; a spreadsheet download as the text of its cells (XLSX is zipped)."""
    if response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":
        book = load_workbook(io.BytesIO(response.get_data()), read_only=True)
        return "\n".join(",".join(str(c) for c in row) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True))
    return response.get_data().decode("utf-8-sig")


def leaks(body: str) -> list[str]:
    return [label for label, secret in SECRETS_OF_B.items() if any(s in body for s in spellings(str(secret)))]


def walk(client, app, world, db):
    """Every answer's body, for every route, language and format."""
    for lang in ("zh", "en"):
        with client.session_transaction() as sess:
            sess["lang"] = lang
        for (method, url), accept in itertools.product(urls(app, world, db), ("text/html", "application/json")):
            response = client.open(url, method=method, headers={"Accept": accept}, data={})
            assert response.status_code < 500, (method, url)
            yield method, url, lang, visible_text(body_text(response))


@pytest.mark.parametrize("who", ["anonymous", "a@example.cn", "c@example.cn"])
def test_no_route_leaks_another_organisations_secrets(client, auth, app, world, db, who):
    if who != "anonymous":
        assert auth.login(who).status_code == 302
    problems = [(method, url, lang, found) for method, url, lang, body in walk(client, app, world, db) if (found := leaks(body))]
    assert problems == []


def test_the_walk_can_see_the_secrets_where_they_belong(client, auth, app, world, db):
    """Staff see everything, so the same walk finds B's secrets for them: the check works."""
    auth.login("staff@example.cn")
    found = set()
    for _, _, _, body in walk(client, app, world, db):
        found.update(leaks(body))
    assert found == set(SECRETS_OF_B)


def test_members_see_their_own_prices(client, auth, world):
    auth.login("a@example.cn")
    assert "73,456.5" in client.get("/offers").get_data(as_text=True)


def test_market_view_shows_other_organisations_anonymously(client, auth, world):
    auth.login("a@example.cn")
    client.post("/language", data={"lang": "en"})
    page = client.get("/market").get_data(as_text=True)
    assert page.count("<tr>") - 1 == 3  # B's two offers and its demand, header row excluded
    assert "1,000–10,000 t" in page
    assert "<td>LFP cathode active material</td>" in page and "<td>Battery-grade lithium carbonate</td>" in page
