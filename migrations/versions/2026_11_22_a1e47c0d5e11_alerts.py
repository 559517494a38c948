"""alerts: one row per open cause (brand or operator), and each brand's alert thresholds

Revision ID: a1e47c0d5e11
Revises: 684afc670911
Create Date: 2026-11-22 13:30:56.838778

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a1e47c0d5e11'
down_revision = '684afc670911'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('alert_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('low_stock_minutes', sa.Integer(), nullable=False),
    sa.Column('low_stock_units', sa.Integer(), nullable=False),
    sa.Column('sold_out', sa.Boolean(), nullable=False),
    sa.Column('hoard_holds', sa.Integer(), nullable=False),
    sa.Column('velocity_orders', sa.Integer(), nullable=False),
    sa.Column('converging_carts', sa.Integer(), nullable=False),
    sa.Column('fraud_window_minutes', sa.Integer(), nullable=False),
    sa.Column('eta_grace_minutes', sa.Integer(), nullable=False),
    sa.Column('email_severity', sa.String(length=8), nullable=False),
    sa.Column('email_to', sa.String(length=8), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("email_severity IN ('severe', 'warning', 'never')", name=op.f('ck_alert_settings_email_severity_known')),
    sa.CheckConstraint("email_to IN ('owners', 'managers')", name=op.f('ck_alert_settings_email_to_known')),
    sa.CheckConstraint('eta_grace_minutes >= 0', name=op.f('ck_alert_settings_eta_grace_nonnegative')),
    sa.CheckConstraint('fraud_window_minutes BETWEEN 5 AND 1440', name=op.f('ck_alert_settings_fraud_window_range')),
    sa.CheckConstraint('hoard_holds >= 1 AND velocity_orders >= 1 AND converging_carts >= 2', name=op.f('ck_alert_settings_fraud_thresholds_positive')),
    sa.CheckConstraint('low_stock_minutes >= 0 AND low_stock_units >= 0', name=op.f('ck_alert_settings_low_stock_nonnegative')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_alert_settings_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alert_settings')),
    sa.UniqueConstraint('tenant_id', name=op.f('uq_alert_settings_tenant_id'))
    )
    op.create_table('alerts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('severity', sa.String(length=8), nullable=False),
    sa.Column('cause_key', sa.String(length=200), nullable=False),
    sa.Column('open_key', sa.String(length=220), nullable=True),
    sa.Column('message', sa.String(length=400), nullable=False),
    sa.Column('drop_id', sa.Integer(), nullable=True),
    sa.Column('link_kind', sa.String(length=12), nullable=False),
    sa.Column('link_id', sa.Integer(), nullable=True),
    sa.Column('link_ref', sa.String(length=120), nullable=False),
    sa.Column('raised_at', sa.DateTime(), nullable=False),
    sa.Column('acknowledged_at', sa.DateTime(), nullable=True),
    sa.Column('acknowledged_by_id', sa.Integer(), nullable=True),
    sa.Column('resolved_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("(tenant_id IS NULL) = (kind IN ('hub_overload', 'failed_job'))", name=op.f('ck_alerts_operator_kinds_have_no_tenant')),
    sa.CheckConstraint("kind IN ('low_stock', 'sold_out', 'hold_hoarding', 'order_velocity', 'converging_address', 'eta_breach', 'sla_breach', 'hub_overload', 'failed_job')", name=op.f('ck_alerts_kind_known')),
    sa.CheckConstraint("link_kind IN ('drop', 'variant', 'sub_order', 'thread', 'hub', 'job')", name=op.f('ck_alerts_link_kind_known')),
    sa.CheckConstraint("severity IN ('info', 'warning', 'severe')", name=op.f('ck_alerts_severity_known')),
    sa.CheckConstraint('(resolved_at IS NULL) = (open_key IS NOT NULL)', name=op.f('ck_alerts_open_key_while_unresolved')),
    sa.CheckConstraint('acknowledged_by_id IS NULL OR acknowledged_at IS NOT NULL', name=op.f('ck_alerts_ack_has_time')),
    sa.ForeignKeyConstraint(['acknowledged_by_id'], ['users.id'], name=op.f('fk_alerts_acknowledged_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_alerts_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alerts')),
    sa.UniqueConstraint('open_key', name=op.f('uq_alerts_open_key'))
    )
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_alerts_drop_id'), ['drop_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_alerts_raised_at'), ['raised_at'], unique=False)
        batch_op.create_index('ix_alerts_tenant_open', ['tenant_id', 'resolved_at', 'acknowledged_at'], unique=False)


def downgrade():
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.drop_index('ix_alerts_tenant_open')
        batch_op.drop_index(batch_op.f('ix_alerts_raised_at'))
        batch_op.drop_index(batch_op.f('ix_alerts_drop_id'))

    op.drop_table('alerts')
    op.drop_table('alert_settings')
