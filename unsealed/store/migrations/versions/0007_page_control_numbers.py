"""pages: the secondary control numbers printed on a page (EFTA_R1_…, SDNY_GM_…), kept apart from
its Bates number

Revision ID: 0007_page_control_numbers
Revises: 0006_email_messages
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_page_control_numbers"
down_revision = "0006_email_messages"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("pages") as batch:
        batch.add_column(sa.Column("control_numbers", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("pages") as batch:
        batch.drop_column("control_numbers")
