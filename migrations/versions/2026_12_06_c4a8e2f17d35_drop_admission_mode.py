"""drop admission mode: open, queue (a waiting room) or draw

Revision ID: c4a8e2f17d35
Revises: b7e41f0c9a18
Create Date: 2026-12-06 00:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4a8e2f17d35'
down_revision = 'b7e41f0c9a18'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('drops', schema=None) as batch_op:
        batch_op.add_column(sa.Column('admission_mode', sa.String(length=8), server_default='open', nullable=False))
        batch_op.create_check_constraint(
            op.f('ck_drops_admission_mode_known'), "admission_mode IN ('open', 'queue', 'draw')"
        )


def downgrade():
    with op.batch_alter_table('drops', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_drops_admission_mode_known'), type_='check')
        batch_op.drop_column('admission_mode')
