"""A member keeps its organisation's certificates up to date."""

from sqlmodel import select

from matchmaker.models import Certification


def test_add_and_remove_a_certificate(client, auth, factory, db):
    org = factory.org()
    factory.user(org, "m@example.cn")
    auth.login("m@example.cn")
    response = client.post("/organisation/certifications", data={"cert_name": "IATF16949", "cert_number": "IATF-7", "cert_expiry": "2029-03-31"})
    assert response.status_code == 302
    page = client.get("/organisation").get_data(as_text=True)
    assert "IATF 16949" in page and "IATF-7" in page
    cert = db.exec(select(Certification).where(Certification.org_id == org.id)).one()
    assert client.post(f"/organisation/certifications/{cert.id}/delete").status_code == 302
    db.expire_all()
    assert db.exec(select(Certification)).all() == []


def test_bad_certificate_is_refused_beside_the_field(client, auth, factory):
    factory.user(factory.org(), "m@example.cn")
    auth.login("m@example.cn")
    response = client.post("/organisation/certifications", data={"cert_name": "MADEUP", "cert_number": "", "cert_expiry": "soon"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert all(f'id="{name}-error"' in page for name in ("cert_name", "cert_number", "cert_expiry"))


def test_another_organisations_certificate_cannot_be_removed(client, auth, factory, db):
    other = factory.org("Other", certifications={"ISO9001": "2030-01-01"})
    factory.user(factory.org("Mine"), "m@example.cn")
    auth.login("m@example.cn")
    cert = db.exec(select(Certification).where(Certification.org_id == other.id)).one()
    assert client.post(f"/organisation/certifications/{cert.id}/delete").status_code == 404
    assert db.get(Certification, cert.id) is not None
