"""Listing indexes for the list pages at 100,000 listings.

Reviewed by hand. The single-column indexes of 0001 on org_id, product_id, region, end and status
are replaced by composite ones that pages and counts read in order or from the index alone:
- (status, created_at, id): newest open listings first, stopping after one page;
- (org_id, created_at, id): one organisation's own listings, newest first;
- (status, end, org_id, start), (product_id, status, end, org_id, region, start),
  (region, status, end, org_id, start): counts of open listings, unfiltered, by product (or tier),
  by region, with the window filters, without reading the table.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 13:12:07
"""
from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SINGLE_COLUMN = ("org_id", "product_id", "region", "end", "status")
COMPOSITE = (
    ("status_created", ["status", "created_at", "id"]),
    ("org_created", ["org_id", "created_at", "id"]),
    ("status_end_org", ["status", "end", "org_id", "start"]),
    ("product_open", ["product_id", "status", "end", "org_id", "region", "start"]),
    ("region_open", ["region", "status", "end", "org_id", "start"]),
)


def upgrade() -> None:
    for table in ("offer", "demand"):
        for column in SINGLE_COLUMN:
            op.drop_index(f"ix_{table}_{column}", table_name=table)
        for suffix, columns in COMPOSITE:
            op.create_index(f"ix_{table}_{suffix}", table, columns)


def downgrade() -> None:
    for table in ("offer", "demand"):
        for suffix, _ in COMPOSITE:
            op.drop_index(f"ix_{table}_{suffix}", table_name=table)
        for column in SINGLE_COLUMN:
            op.create_index(f"ix_{table}_{column}", table, [column])
