"""SQLModel tables by area; importing this package registers every table on ``SQLModel.metadata``."""

from matchmaker.models.audit import AuditRecord, LoginFailure
from matchmaker.models.catalog import BomLine, Product
from matchmaker.models.contracts import Contract, ScheduleLine
from matchmaker.models.freight import FreightOverride, FreightSetting
from matchmaker.models.inbox import Notification
from matchmaker.models.listings import Demand, Offer, OfferInput
from matchmaker.models.matching import ForbiddenPair, MatchingRun, Proposal
from matchmaker.models.monitoring import (
    Alert,
    Bulletin,
    CapacityProject,
    MonitoringThreshold,
    PricePoint,
    PriceSeries,
)
from matchmaker.models.orgs import Certification, Organisation, User
from matchmaker.models.tokens import ApiToken

__all__ = [
    "ApiToken",
    "Alert",
    "Bulletin",
    "CapacityProject",
    "MonitoringThreshold",
    "PricePoint",
    "PriceSeries",
    "AuditRecord",
    "BomLine",
    "Certification",
    "Contract",
    "Demand",
    "ForbiddenPair",
    "FreightOverride",
    "FreightSetting",
    "LoginFailure",
    "MatchingRun",
    "Notification",
    "Offer",
    "OfferInput",
    "Organisation",
    "Product",
    "Proposal",
    "ScheduleLine",
    "User",
]
