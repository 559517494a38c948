"""drop monitor and reports: per-minute drop activity copied from Redis, and post-drop reports as JSON

Revision ID: d70b5c3e9a22
Revises: a1e47c0d5e11
Create Date: 2026-11-22 14:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd70b5c3e9a22'
down_revision = 'a1e47c0d5e11'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('drop_activity_minutes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('drop_id', sa.Integer(), nullable=False),
    sa.Column('minute', sa.DateTime(), nullable=False),
    sa.Column('views', sa.Integer(), nullable=False),
    sa.Column('holds', sa.Integer(), nullable=False),
    sa.Column('held_units', sa.Integer(), nullable=False),
    sa.Column('expired', sa.Integer(), nullable=False),
    sa.Column('expired_units', sa.Integer(), nullable=False),
    sa.Column('released', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.CheckConstraint('views >= 0 AND holds >= 0 AND held_units >= 0 AND expired >= 0 AND expired_units >= 0 AND released >= 0', name=op.f('ck_drop_activity_minutes_counts_nonnegative')),
    sa.ForeignKeyConstraint(['tenant_id', 'drop_id'], ['drops.tenant_id', 'drops.id'], name=op.f('fk_drop_activity_minutes_tenant_id_drops'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_drop_activity_minutes_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_drop_activity_minutes')),
    sa.UniqueConstraint('drop_id', 'minute', name=op.f('uq_drop_activity_minutes_drop_id_minute'))
    )
    with op.batch_alter_table('drop_activity_minutes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_drop_activity_minutes_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('drop_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('drop_id', sa.Integer(), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('built_at', sa.DateTime(), nullable=False),
    sa.Column('requested_at', sa.DateTime(), nullable=True),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'drop_id'], ['drops.tenant_id', 'drops.id'], name=op.f('fk_drop_reports_tenant_id_drops'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_drop_reports_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_drop_reports')),
    sa.UniqueConstraint('drop_id', name=op.f('uq_drop_reports_drop_id'))
    )
    with op.batch_alter_table('drop_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_drop_reports_tenant_id'), ['tenant_id'], unique=False)


def downgrade():
    with op.batch_alter_table('drop_reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_drop_reports_tenant_id'))

    op.drop_table('drop_reports')
    with op.batch_alter_table('drop_activity_minutes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_drop_activity_minutes_tenant_id'))

    op.drop_table('drop_activity_minutes')
