"""Audit entity key: a text key on ``audit_record`` for entities identified by a slug (catalogue
products, their reference price series), which ``entity_id`` (an integer) cannot name.

Reviewed by hand: one nullable column, so existing records stay as they are (no key) and their
hashes, which include the key only when it is set, still verify.

Revision ID: 0012
Revises: 0011
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("audit_record", schema=None) as batch_op:
        batch_op.add_column(sa.Column("entity_key", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("audit_record", schema=None) as batch_op:
        batch_op.drop_column("entity_key")
