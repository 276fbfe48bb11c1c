"""The product catalogue and its bills of materials."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from matchmaker.models.base import utcnow


class Product(SQLModel, table=True):
    """A product of the chain; ``id`` is the slug the market file uses."""

    __tablename__ = "product"

    id: str = Field(primary_key=True, max_length=64)
    name_zh: str = Field(max_length=200)
    name_en: str = Field(max_length=200)
    tier: str = Field(max_length=16, index=True)
    unit: str = Field(max_length=16)
    reference_price: float | None = None
    tonnes_per_unit: float | None = None
    updated_at: datetime = Field(default_factory=utcnow)


class BomLine(SQLModel, table=True):
    """One line of a bill of materials: ``qty_per_unit`` of ``input_id`` per unit of ``product_id``."""

    __tablename__ = "bom_line"

    id: int | None = Field(default=None, primary_key=True)
    product_id: str = Field(foreign_key="product.id", index=True, max_length=64)
    input_id: str = Field(foreign_key="product.id", max_length=64)
    qty_per_unit: float
