"""Run lifecycle: when a proposal's "deadline near" notice went out to each party, and which
newer run superseded a proposal still awaiting review.

Reviewed by hand: three nullable columns on ``proposal``, so existing rows need no default
(no reminder sent yet, not superseded). The foreign key goes through batch mode for SQLite.

Revision ID: 0011
Revises: 0010
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("proposal", schema=None) as batch_op:
        batch_op.add_column(sa.Column("supplier_reminded_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("buyer_reminded_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("superseded_by_run_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key("fk_proposal_superseded_by_run_id_matching_run", "matching_run",
                                    ["superseded_by_run_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("proposal", schema=None) as batch_op:
        batch_op.drop_constraint("fk_proposal_superseded_by_run_id_matching_run", type_="foreignkey")
        batch_op.drop_column("superseded_by_run_id")
        batch_op.drop_column("buyer_reminded_at")
        batch_op.drop_column("supplier_reminded_at")
