"""users session generation: part of every session's user id, bumped to sign a user out of every browser

Revision ID: 7554b1c2f438
Revises: d70b5c3e9a22
Create Date: 2026-12-05 15:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7554b1c2f438'
down_revision = 'd70b5c3e9a22'
branch_labels = None
depends_on = None


def upgrade():
    # Existing users start at generation 0; their sessions from before (a bare id) stop loading, so each signs in once.
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_generation', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('session_generation')
