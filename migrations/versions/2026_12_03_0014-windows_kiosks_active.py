"""editing and retiring: windows and kiosks can be retired (active: false)

Revision ID: 0014_editing
Revises: 0001
Create Date: 2026-12-03 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014_editing"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    for table in ("windows", "kiosks"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(
                sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False)
            )


def downgrade() -> None:
    for table in ("kiosks", "windows"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("active")
