"""card payments: payments tied to a payment window of held units, provider events once, the operator's choices,
and each brand's money per order as ledger rows

Revision ID: b7e41f0c9a18
Revises: b3d9e61f0a47
Create Date: 2026-12-05 19:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7e41f0c9a18'
down_revision = 'b3d9e61f0a47'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'payments',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('order_id', sa.Integer(), nullable=False),
        sa.Column('provider', sa.String(length=30), nullable=False),
        sa.Column('provider_session_id', sa.String(length=255), nullable=True),
        sa.Column('provider_payment_id', sa.String(length=255), nullable=False),
        sa.Column('redirect_url', sa.Text(), nullable=False),
        sa.Column('amount_cents', sa.Integer(), nullable=False),
        sa.Column('currency', sa.String(length=3), nullable=False),
        sa.Column('state', sa.String(length=20), nullable=False),
        sa.Column('refunded_cents', sa.Integer(), nullable=False),
        sa.Column('checkout_key', sa.String(length=64), nullable=False),
        sa.Column('hold_ids', sa.Text(), nullable=False),
        sa.Column('window_closes_at', sa.DateTime(), nullable=False),
        sa.Column('window_closed', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint('amount_cents >= 0', name=op.f('ck_payments_amount_nonnegative')),
        sa.CheckConstraint(
            'refunded_cents >= 0 AND refunded_cents <= amount_cents', name=op.f('ck_payments_refund_within_amount')
        ),
        sa.CheckConstraint(
            "state IN ('pending', 'succeeded', 'failed', 'expired', 'refunded', 'partly_refunded')",
            name=op.f('ck_payments_state_known'),
        ),
        sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_payments_order_id_orders'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_payments')),
        sa.UniqueConstraint('order_id', name=op.f('uq_payments_order_id')),
        sa.UniqueConstraint('provider', 'provider_session_id', name=op.f('uq_payments_provider_provider_session_id')),
    )
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payments_window_closes_at'), ['window_closes_at'], unique=False)
    op.create_table(
        'payment_events',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('provider', sa.String(length=30), nullable=False),
        sa.Column('event_id', sa.String(length=255), nullable=False),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('payment_id', sa.Integer(), nullable=True),
        sa.Column('outcome', sa.String(length=40), nullable=False),
        sa.Column('received_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ['payment_id'], ['payments.id'], name=op.f('fk_payment_events_payment_id_payments'), ondelete='SET NULL'
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_payment_events')),
        sa.UniqueConstraint('provider', 'event_id', name=op.f('uq_payment_events_provider_event_id')),
    )
    op.create_table(
        'payment_settings',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('offered', sa.String(length=200), nullable=False),
        sa.Column('mall_fee_bp', sa.Integer(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint('mall_fee_bp >= 0 AND mall_fee_bp <= 10000', name=op.f('ck_payment_settings_fee_within_range')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_payment_settings')),
    )
    op.create_table(
        'brand_money_entries',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('sub_order_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('amount_cents', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('tenant_id', sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('gross', 'refund', 'creator_commission', 'mall_fee')", name=op.f('ck_brand_money_entries_kind_known')
        ),
        sa.ForeignKeyConstraint(
            ['tenant_id', 'sub_order_id'], ['sub_orders.tenant_id', 'sub_orders.id'],
            name=op.f('fk_brand_money_entries_tenant_id_sub_order_id_sub_orders'), ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['tenant_id'], ['tenants.id'], name=op.f('fk_brand_money_entries_tenant_id_tenants'), ondelete='CASCADE'
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_brand_money_entries')),
    )
    with op.batch_alter_table('brand_money_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_brand_money_entries_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_brand_money_entries_sub_order_id'), ['sub_order_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_brand_money_entries_tenant_id'), ['tenant_id'], unique=False)


def downgrade():
    op.drop_table('brand_money_entries')
    op.drop_table('payment_settings')
    op.drop_table('payment_events')
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payments_window_closes_at'))
    op.drop_table('payments')
