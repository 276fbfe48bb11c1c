"""Contract price terms with both legs: the seller's ask and the buyer's bid, plus freight.

The seller's formula columns are renamed (``index_name`` -> ``ask_index``, ``index_adjustment``
-> ``ask_adjustment``, ``index_adjustment_kind`` -> ``ask_adjustment_kind``, ``price_floor`` ->
``ask_floor``, ``price_ceiling`` -> ``ask_ceiling``) and the buyer's leg and ``freight`` added.

Existing rows keep their meaning: an index-linked contract signed before this migration followed
the seller's formula plus a premium fixed at signing, so it becomes ``price_basis = 'premium'``
with an index ``ask`` leg and its ``premium`` unchanged; fixed contracts stay fixed. ``freight``
is copied from each contract's proposal.

Downgrading cannot express the ``split`` formula in the old columns: such contracts go back as
fixed at their price at signing (``unit_price``), and their legs are dropped.

Revision ID: 0010
Revises: 0009
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RENAMED = (("index_name", "ask_index"), ("index_adjustment", "ask_adjustment"),
           ("index_adjustment_kind", "ask_adjustment_kind"), ("price_floor", "ask_floor"),
           ("price_ceiling", "ask_ceiling"))


def _leg_columns(side: str, with_formula: bool) -> list[sa.Column]:
    columns = [sa.Column(f"{side}_basis", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True),
               sa.Column(f"{side}_price", sa.Float(), nullable=True)]
    if with_formula:
        columns += [sa.Column(f"{side}_index", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
                    sa.Column(f"{side}_adjustment", sa.Float(), nullable=True),
                    sa.Column(f"{side}_adjustment_kind", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True),
                    sa.Column(f"{side}_floor", sa.Float(), nullable=True),
                    sa.Column(f"{side}_ceiling", sa.Float(), nullable=True)]
    return columns


def upgrade() -> None:
    with op.batch_alter_table("contract", schema=None) as batch_op:
        for old, new in RENAMED:
            batch_op.alter_column(old, new_column_name=new)
        batch_op.add_column(sa.Column("freight", sa.Float(), nullable=True))
        for column in _leg_columns("ask", with_formula=False) + _leg_columns("bid", with_formula=True):
            batch_op.add_column(column)
    op.execute("UPDATE contract SET price_basis = 'premium', ask_basis = 'index' WHERE price_basis = 'index'")
    op.execute("UPDATE contract SET freight = (SELECT proposal.freight FROM proposal"
               " WHERE proposal.id = contract.proposal_id)")


def downgrade() -> None:
    op.execute("UPDATE contract SET price_basis = 'fixed', ask_index = NULL, ask_adjustment = NULL,"
               " ask_adjustment_kind = NULL, ask_floor = NULL, ask_ceiling = NULL WHERE price_basis = 'split'")
    op.execute("UPDATE contract SET price_basis = 'index' WHERE price_basis = 'premium'")
    with op.batch_alter_table("contract", schema=None) as batch_op:
        for column in _leg_columns("bid", with_formula=True) + _leg_columns("ask", with_formula=False):
            batch_op.drop_column(column.name)
        batch_op.drop_column("freight")
        for old, new in RENAMED:
            batch_op.alter_column(new, new_column_name=old)
