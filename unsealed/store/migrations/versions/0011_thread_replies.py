"""email_threads: what a reply printed without its parent offers to find it in another document

Sizes of the body's shingle set, the MinHash of the body with its `>` quotes, the recipients and
whether the subject was printed with Re:/Fw:. Thread rows are derived data: they are emptied here,
and the e-mail threads stage fingerprints every message again on its next run.

Revision ID: 0011_thread_replies
Revises: 0010_page_layer_text
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_thread_replies"
down_revision = "0010_page_layer_text"
branch_labels = None
depends_on = None

COLUMNS = ("body_size", "printed", "printed_size", "recipients", "replying")


def upgrade() -> None:
    op.execute("DELETE FROM email_threads")
    with op.batch_alter_table("email_threads") as batch:
        batch.add_column(sa.Column("body_size", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("printed", sa.LargeBinary(), nullable=True))
        batch.add_column(sa.Column("printed_size", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("recipients", sa.Text(), nullable=True))
        batch.add_column(sa.Column("replying", sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("email_threads") as batch:
        for name in COLUMNS:
            batch.drop_column(name)
