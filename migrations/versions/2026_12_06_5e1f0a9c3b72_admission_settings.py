"""admission settings: the operator's waiting-room capacity, overbook share and admission window

Revision ID: 5e1f0a9c3b72
Revises: d5cc186f5e24
Create Date: 2026-12-06 00:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5e1f0a9c3b72'
down_revision = 'd5cc186f5e24'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'admission_settings',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('capacity', sa.Integer(), nullable=False),
        sa.Column('overbook_percent', sa.Integer(), nullable=False),
        sa.Column('admission_minutes', sa.Integer(), nullable=False),
        sa.Column('expiring_seconds', sa.Integer(), nullable=False),
        sa.Column('entries_per_ip', sa.Integer(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint('capacity >= 1', name=op.f('ck_admission_settings_capacity_positive')),
        sa.CheckConstraint('overbook_percent BETWEEN 100 AND 300', name=op.f('ck_admission_settings_overbook_range')),
        sa.CheckConstraint('admission_minutes BETWEEN 1 AND 60', name=op.f('ck_admission_settings_admission_minutes_range')),
        sa.CheckConstraint('expiring_seconds BETWEEN 0 AND 600', name=op.f('ck_admission_settings_expiring_seconds_range')),
        sa.CheckConstraint('entries_per_ip >= 1', name=op.f('ck_admission_settings_entries_per_ip_positive')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_admission_settings')),
    )


def downgrade():
    op.drop_table('admission_settings')
