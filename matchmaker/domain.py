"""Vocabulary shared by models, services and templates: tiers, certifications, delivery terms.

Ids are what the market file and the database store; display names are translated in the views.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

TIERS: dict[str, object] = {
    "resource": _l("Resources"),
    "material2": _l("Second-tier materials"),
    "material1": _l("First-tier materials"),
    "cell": _l("Cells"),
    "system": _l("Systems"),
    "recycling": _l("Recycling"),
}

# Names as the market file compares them: exactly, case included.
CERTIFICATIONS: dict[str, str] = {
    "ISO9001": "ISO 9001",
    "IATF16949": "IATF 16949",
    "ISO14001": "ISO 14001",
    "ISO45001": "ISO 45001",
    "GB31241": "GB 31241",
    "GB40165": "GB 40165",
    "UL1973": "UL 1973",
    "IEC62619": "IEC 62619",
}

DELIVERY_TERMS: dict[str, object] = {
    "EXW": _l("EXW: buyer collects at the seller's works"),
    "FCA": _l("FCA: seller hands over to the buyer's carrier"),
    "CPT": _l("CPT: seller pays carriage to the named place"),
    "DAP": _l("DAP: delivered to the buyer's site, unloaded by the buyer"),
    "DDP": _l("DDP: delivered to the buyer's site, duties paid"),
}

PRICE_BASES: dict[str, object] = {
    "fixed": _l("Fixed price"),
    "index": _l("Index-linked"),
}

# Reference indices a long-term price may follow (CNY per unit of the product).
PRICE_INDICES: dict[str, object] = {
    "gfex-lc": _l("GFEX lithium carbonate futures, main contract"),
    "smm-lc": _l("SMM battery-grade lithium carbonate spot"),
    "smm-lioh": _l("SMM battery-grade lithium hydroxide spot"),
    "smm-spodumene": _l("SMM spodumene concentrate SC6"),
    "smm-lfp": _l("SMM LFP cathode spot"),
}

ORG_STATUSES: dict[str, object] = {
    "pending": _l("Pending approval"),
    "approved": _l("Approved"),
    "rejected": _l("Rejected"),
}

LISTING_STATUSES: dict[str, object] = {
    "open": _l("Open"),
    "withdrawn": _l("Withdrawn"),
    "expired": _l("Expired"),
}

ROLES: dict[str, object] = {
    "member": _l("Member"),
    "staff": _l("Association staff"),
    "admin": _l("Administrator"),
}

# Units of measure as stored (the market file's ``unit``) and as shown.
UNITS: dict[str, object] = {
    "t": lazy_pgettext("unit", "t"),
    "kg": lazy_pgettext("unit", "kg"),
    "GWh": lazy_pgettext("unit", "GWh"),
    "MWh": lazy_pgettext("unit", "MWh"),
    "Mm2": lazy_pgettext("unit", "million m²"),
    "m2": lazy_pgettext("unit", "m²"),
    "pcs": lazy_pgettext("unit", "pieces"),
}
