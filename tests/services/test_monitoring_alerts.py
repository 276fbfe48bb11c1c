"""Alerts: raised once per finding, sent to the staff inbox, owned, moved open -> acknowledged ->
resolved with a comment, every step in the audit chain; bulletins in both languages."""

from datetime import date
from xml.etree import ElementTree as ET

import pytest
from sqlmodel import select

from matchmaker.models import Alert, Notification, Offer
from matchmaker.services import audit
from matchmaker.services import monitoring_alerts as alerts
from matchmaker.services import monitoring_bulletins as bulletins
from matchmaker.services.errors import Conflict, PermissionDenied, ValidationError
from matchmaker.services.viewer import Viewer

TODAY = date(2027, 1, 15)


@pytest.fixture
def staff(db, factory):
    factory.catalogue()
    user = factory.user(factory.org("Association", tiers=["system"]), "staff@example.cn", role="staff")
    return Viewer(user_id=user.id, org_id=user.org_id, role="staff", org_status="approved")


@pytest.fixture
def gouger(db, factory):
    org = factory.org("Gouger")
    db.add(Offer(org_id=org.id, product_id="lfp-cathode", region="hunan", monthly_qty=100, start="2027-01",
                 end="2027-12", price=46_000))
    db.commit()
    return org


def test_checks_raise_each_finding_once_and_notify_staff(db, staff, gouger):
    assert alerts.run_checks(db, staff, TODAY) >= 1
    assert alerts.run_checks(db, staff, TODAY) == 0
    alert = db.exec(select(Alert).where(Alert.rule == "gouging")).one()
    assert (alert.key, alert.org_id, alert.state) == ("conduct:gouging:offer:1", gouger.id, "open")
    assert alerts.evidence_of(alert)["ask"] == 46_000
    notices = db.exec(select(Notification).where(Notification.org_id.is_(None))).all()
    assert len(notices) == len(db.exec(select(Alert)).all())


def test_members_cannot_run_checks_or_read_alerts(db, staff, gouger):
    member = Viewer(user_id=9, org_id=gouger.id, role="member", org_status="approved")
    with pytest.raises(PermissionDenied):
        alerts.run_checks(db, member, TODAY)
    with pytest.raises(PermissionDenied):
        alerts.list_alerts(db, member)


def test_workflow_open_acknowledged_resolved_with_comment_all_audited(app, db, staff, gouger):
    alerts.run_checks(db, staff, TODAY)
    alert = db.exec(select(Alert).where(Alert.rule == "gouging")).one()
    alerts.transition(db, staff, alert.id, "acknowledge", {})
    assert (alert.state, alert.owner_id) == ("acknowledged", staff.user_id)  # acknowledging takes ownership
    with app.test_request_context(), pytest.raises(ValidationError) as error:
        alerts.transition(db, staff, alert.id, "resolve", {"comment": ""})
    assert set(error.value.errors) == {"comment"}
    alerts.transition(db, staff, alert.id, "resolve", {"comment": "Supplier lowered its ask to 38,000."})
    assert (alert.state, alert.comment) == ("resolved", "Supplier lowered its ask to 38,000.")
    with app.test_request_context(), pytest.raises(Conflict):
        alerts.transition(db, staff, alert.id, "acknowledge", {})
    actions = [r.action for r in audit.history(db, "monitoring_alert", alert.id)]
    assert actions == ["alert_raised", "alert_acknowledged", "alert_resolved"]
    assert audit.verify_chain(db) == []


def test_a_resolved_finding_is_not_raised_again(db, staff, gouger):
    alerts.run_checks(db, staff, TODAY)
    alert = db.exec(select(Alert).where(Alert.rule == "gouging")).one()
    alerts.transition(db, staff, alert.id, "resolve", {"comment": "Explained: premium grade."})
    assert alerts.run_checks(db, staff, TODAY) == 0


def test_owner_must_be_staff(app, db, staff, gouger, factory):
    alerts.run_checks(db, staff, TODAY)
    alert = db.exec(select(Alert)).first()
    member = factory.user(gouger, "seller@example.cn")
    with app.test_request_context(), pytest.raises(ValidationError):
        alerts.assign(db, staff, alert.id, {"owner_id": str(member.id)})
    alerts.assign(db, staff, alert.id, {"owner_id": str(staff.user_id)})
    assert alert.owner_id == staff.user_id


def test_bulletins_need_both_languages_and_staff(app, db, staff):
    member = Viewer(user_id=5, org_id=5, role="member", org_status="approved")
    form = {"title_zh": "碳酸锂价格预警", "body_zh": "价格一个月上涨25%。\n请注意风险。",
            "title_en": "Lithium carbonate price warning", "body_en": "Up 25% in a month.\nMind the risk."}
    with pytest.raises(PermissionDenied):
        bulletins.publish(db, member, form)
    with app.test_request_context(), pytest.raises(ValidationError) as error:
        bulletins.publish(db, staff, {**form, "body_en": ""})
    assert set(error.value.errors) == {"body_en"}
    bulletin = bulletins.publish(db, staff, form)
    assert bulletin.body_zh == "价格一个月上涨25%。\n请注意风险。"
    assert [b.id for b in bulletins.list_bulletins(db)] == [bulletin.id]


def test_atom_feed_is_valid_and_in_the_asked_language(db, staff):
    form = {"title_zh": "碳酸锂价格预警", "body_zh": "正文", "title_en": "Price warning", "body_en": "Text & more"}
    bulletin = bulletins.publish(db, staff, form)
    xml = bulletins.atom_feed([bulletin], "en", "http://x/feed", lambda b: f"http://x/b/{b.id}", "Bulletins")
    root = ET.fromstring(xml)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    assert root.tag == "{http://www.w3.org/2005/Atom}feed"
    assert root.find("a:entry/a:title", ns).text == "Price warning"
    assert root.find("a:entry/a:content", ns).text == "Text & more"
    assert root.find("a:entry/a:updated", ns).text.endswith("Z")
