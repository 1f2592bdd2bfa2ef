"""dashboard aggregates: hourly figures and visit load

Revision ID: 0005_dashboard
Revises: 0001
Create Date: 2026-11-25 17:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_dashboard"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

HOURLY_COUNTERS = (
    "issued",
    "enqueued",
    "dequeued",
    "first_called",
    "within_target",
    "served",
    "no_show",
    "expired",
    "transferred",
)


def upgrade() -> None:
    counters = [sa.Column(name, sa.Integer(), nullable=False) for name in HOURLY_COUNTERS[:4]]
    op.create_table(
        "hourly_stats",
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("hour", sa.Integer(), nullable=False),
        sa.Column("topic_id", sa.Integer(), nullable=False),
        sa.Column("customer_type", sa.String(length=20), nullable=False),
        *counters,
        sa.Column("wait_seconds_sum", sa.BigInteger(), nullable=False),
        sa.Column("within_target", sa.Integer(), nullable=False),
        sa.Column("served", sa.Integer(), nullable=False),
        sa.Column("service_seconds_sum", sa.BigInteger(), nullable=False),
        sa.Column("no_show", sa.Integer(), nullable=False),
        sa.Column("expired", sa.Integer(), nullable=False),
        sa.Column("transferred", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["office_id"],
            ["offices.id"],
            name=op.f("fk_hourly_stats_office_id_offices"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["topic_id"],
            ["topics.id"],
            name=op.f("fk_hourly_stats_topic_id_topics"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "office_id", "day", "hour", "topic_id", "customer_type", name=op.f("pk_hourly_stats")
        ),
    )
    op.create_table(
        "load_cells",
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("customer_type", sa.String(length=20), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("hour", sa.Integer(), nullable=False),
        sa.Column("visits", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["office_id"],
            ["offices.id"],
            name=op.f("fk_load_cells_office_id_offices"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "office_id", "customer_type", "weekday", "hour", name=op.f("pk_load_cells")
        ),
    )
    op.create_table(
        "load_days",
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["office_id"],
            ["offices.id"],
            name=op.f("fk_load_days_office_id_offices"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("office_id", "weekday", name=op.f("pk_load_days")),
    )


def downgrade() -> None:
    op.drop_table("load_days")
    op.drop_table("load_cells")
    op.drop_table("hourly_stats")
