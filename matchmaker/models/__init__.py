"""SQLModel tables by area; importing this package registers every table on ``SQLModel.metadata``."""

from matchmaker.models.audit import LoginFailure
from matchmaker.models.catalog import BomLine, Product
from matchmaker.models.listings import Demand, Offer, OfferInput
from matchmaker.models.orgs import Certification, Organisation, User

__all__ = [
    "BomLine",
    "Certification",
    "Demand",
    "LoginFailure",
    "Offer",
    "OfferInput",
    "Organisation",
    "Product",
    "User",
]
