"""aggregate watermarks: the figures are counted from the event log off the request path

Revision ID: 0007_aggregate_watermarks
Revises: 0001
Create Date: 2026-12-02 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_aggregate_watermarks"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("events") as batch:
        batch.add_column(sa.Column("topic_id", sa.Integer(), nullable=True))
    op.create_table(
        "aggregate_watermarks",
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("last_seq", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["office_id"],
            ["offices.id"],
            name=op.f("fk_aggregate_watermarks_office_id_offices"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("office_id", name=op.f("pk_aggregate_watermarks")),
    )
    # Events logged so far were counted in their own transactions: start after them.
    op.execute(
        "INSERT INTO aggregate_watermarks (office_id, last_seq) "
        "SELECT office_id, last_seq FROM event_counters"
    )


def downgrade() -> None:
    op.drop_table("aggregate_watermarks")
    with op.batch_alter_table("events") as batch:
        batch.drop_column("topic_id")
