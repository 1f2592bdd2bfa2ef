"""issuing trust: kiosk keys, the remote channel and its cap, idempotency keys

Revision ID: 0008_issuing_trust
Revises: 0001
Create Date: 2026-12-02 01:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_issuing_trust"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("offices") as batch:
        batch.add_column(
            sa.Column("remote_open", sa.Boolean(), server_default=sa.true(), nullable=False)
        )
        batch.add_column(
            sa.Column("remote_tickets_per_hour", sa.Integer(), server_default="3", nullable=False)
        )
    with op.batch_alter_table("kiosks") as batch:
        batch.add_column(sa.Column("key_hash", sa.String(length=64), nullable=True))
        batch.create_unique_constraint(op.f("uq_kiosks_key_hash"), ["key_hash"])
    with op.batch_alter_table("tickets") as batch:
        batch.add_column(
            sa.Column("channel", sa.String(length=10), server_default="kiosk", nullable=False)
        )
    op.create_table(
        "remote_issues",
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("hour", sa.DateTime(timezone=True), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["office_id"],
            ["offices.id"],
            name=op.f("fk_remote_issues_office_id_offices"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("office_id", "address", "hour", name=op.f("pk_remote_issues")),
    )
    op.create_table(
        "idempotency_keys",
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["office_id"],
            ["offices.id"],
            name=op.f("fk_idempotency_keys_office_id_offices"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["tickets.id"],
            name=op.f("fk_idempotency_keys_ticket_id_tickets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("office_id", "key", name=op.f("pk_idempotency_keys")),
    )
    op.create_index("ix_idempotency_keys_created_at", "idempotency_keys", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_idempotency_keys_created_at", table_name="idempotency_keys")
    op.drop_table("idempotency_keys")
    op.drop_table("remote_issues")
    with op.batch_alter_table("tickets") as batch:
        batch.drop_column("channel")
    with op.batch_alter_table("kiosks") as batch:
        batch.drop_constraint(op.f("uq_kiosks_key_hash"), type_="unique")
        batch.drop_column("key_hash")
    with op.batch_alter_table("offices") as batch:
        batch.drop_column("remote_tickets_per_hour")
        batch.drop_column("remote_open")
