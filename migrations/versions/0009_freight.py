"""Freight: the rate per tonne-km staff set, and their per-tonne figures for particular lanes.

Reviewed by hand. ``freight_setting`` is a key-value table like ``monitoring_threshold`` (today
one key, ``rate``); an absent row means the default (0.35 CNY per tonne-km). ``freight_override``
holds one row per lane, both directions: the unique constraint and the check that ``region_a``
sorts first keep a lane from being stored twice as (a, b) and (b, a). Region ids are lowercase
ASCII pinyin, so the comparison sorts the same under any collation.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-26 15:50:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "freight_setting",
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["updated_by"], ["user_account.id"]),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "freight_override",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("region_a", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("region_b", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("cny_per_tonne", sa.Float(), nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.CheckConstraint("region_a <= region_b", name="ck_freight_override_order"),
        sa.ForeignKeyConstraint(["updated_by"], ["user_account.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("region_a", "region_b", name="uq_freight_override_lane"),
    )


def downgrade() -> None:
    op.drop_table("freight_override")
    op.drop_table("freight_setting")
