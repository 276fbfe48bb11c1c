"""Chinese by default, English on request; every string translated; locale formats."""

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

import matchmaker

ROOT = Path(matchmaker.__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "matchmaker" / "translations"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None, "lazy_pgettext": ((1, "c"), 2)}


def extracted_messages() -> set[object]:
    found: set[object] = set()
    for sub, method in (("matchmaker", "python"), ("templates", "jinja2")):
        for _, _, message, _, context in extract_from_dir(
            ROOT / sub, method_map=[("**.py" if method == "python" else "**.html", method)], keywords=KEYWORDS
        ):
            msgid = message[0] if isinstance(message, tuple) else message
            found.add((context, msgid) if context else msgid)
    return found


def _plain(value: object) -> object:
    """Plural messages come back as lists from .mo files and tuples from .po files."""
    return tuple(value) if isinstance(value, (list, tuple)) else value


def _key(message) -> object:  # type: ignore[no-untyped-def]
    msgid = message.id[0] if isinstance(message.id, tuple) else message.id
    return (message.context, msgid) if message.context else msgid


def catalogue(lang: str):
    with open(TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po", "rb") as fh:
        return read_po(fh, locale=lang)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_string_in_the_code_is_translated(lang):
    cat = catalogue(lang)
    translated = {_key(m) for m in cat if m.id and all(_plain(m.string) if isinstance(m.string, tuple) else [m.string])}
    assert extracted_messages() - translated == set()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_compiled_catalogue_matches_the_po_file(lang):
    with open(TRANSLATIONS / lang / "LC_MESSAGES" / "messages.mo", "rb") as fh:
        compiled = {(m.context, _plain(m.id)): _plain(m.string) for m in read_mo(fh) if m.id}
    source = {(m.context, _plain(m.id)): _plain(m.string) for m in catalogue(lang) if m.id}
    assert compiled == source


def test_chinese_is_the_default(client):
    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="zh-CN">' in page and "登录" in page and "Log in</h1>" not in page


def test_switch_to_english_and_back(client):
    response = client.post("/language", data={"lang": "en", "next": "/login"})
    assert response.headers["Location"] == "/login"
    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="en">' in page and "Log in</h1>" in page
    client.post("/language", data={"lang": "zh"})
    assert "登录</h1>" in client.get("/login").get_data(as_text=True)


def test_unknown_language_and_foreign_next_are_ignored(client):
    response = client.post("/language", data={"lang": "fr", "next": "https://evil.example/"})
    assert response.headers["Location"] == "/"
    assert '<html lang="zh-CN">' in client.get("/login").get_data(as_text=True)


def test_switch_is_on_every_page(client, auth, factory, app):
    factory.catalogue()
    factory.user(factory.org("Association", tiers=["system"]), "staff@example.cn", role="staff")
    auth.login("staff@example.cn")
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.arguments or rule.endpoint == "static" or rule.rule.startswith("/api/"):
            continue
        response = client.get(rule.rule)
        assert response.status_code == 200 and 'action="/language"' in response.get_data(as_text=True), rule.rule


def test_months_numbers_and_units_follow_the_language(client, auth, factory, db):
    from matchmaker.models import Offer

    factory.catalogue()
    org = factory.org()
    factory.user(org, "seller@example.cn")
    db.add(Offer(org_id=org.id, product_id="lithium-carbonate", region="jiangxi", monthly_qty=1250.5, start="2027-02", end="2028-11", price=74000))
    db.commit()
    auth.login("seller@example.cn")
    zh = client.get("/offers/1").get_data(as_text=True)
    assert "2027年2月" in zh and "1,250.5 吨" in zh and "江西" in zh and "电池级碳酸锂" in zh
    client.post("/language", data={"lang": "en"})
    en = client.get("/offers/1").get_data(as_text=True)
    assert "Feb 2027" in en and "1,250.5 t" in en and "Jiangxi" in en and "Battery-grade lithium carbonate" in en


def test_labels_in_lists_follow_the_language_from_one_request_to_the_next(client, auth, factory, db):
    """Tier names and template strings are translated once per request and language, never
    carried over: the same client sees Chinese, then English, then Chinese again."""
    from matchmaker.models import Offer

    factory.catalogue()
    seller, buyer = factory.org("Seller"), factory.org("Buyer")
    factory.user(buyer, "buyer@example.cn")
    db.add(Offer(org_id=seller.id, product_id="lithium-carbonate", region="jiangxi", monthly_qty=340, start="2027-02", end="2028-11", price=74000))
    db.commit()
    auth.login("buyer@example.cn")
    zh = client.get("/market").get_data(as_text=True)
    assert "<td>二级材料</td>" in zh and ">二级材料</option>" in zh and "共 1 条" in zh
    client.post("/language", data={"lang": "en"})
    en = client.get("/market").get_data(as_text=True)
    assert "<td>Second-tier materials</td>" in en and ">Second-tier materials</option>" in en
    assert "二级材料" not in en and "1 listing" in en
    client.post("/language", data={"lang": "zh"})
    assert "<td>二级材料</td>" in client.get("/market").get_data(as_text=True)
