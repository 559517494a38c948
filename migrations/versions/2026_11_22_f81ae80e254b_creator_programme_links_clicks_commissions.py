"""creator programme: partnerships, links, hourly click buckets, visitors, commissions; orders carry the link

Revision ID: f81ae80e254b
Revises: 8cb1153cba3d
Create Date: 2026-11-22 11:15:10.783018

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f81ae80e254b'
down_revision = '8cb1153cba3d'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('creator_partnerships',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('creator_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('commission_bp', sa.Integer(), nullable=False),
    sa.Column('window_hours', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.CheckConstraint("status IN ('invited', 'applied', 'approved', 'declined', 'ended')", name=op.f('ck_creator_partnerships_status_known')),
    sa.CheckConstraint('commission_bp BETWEEN 0 AND 5000', name=op.f('ck_creator_partnerships_commission_range')),
    sa.CheckConstraint('window_hours BETWEEN 1 AND 720', name=op.f('ck_creator_partnerships_window_range')),
    sa.ForeignKeyConstraint(['creator_id'], ['users.id'], name=op.f('fk_creator_partnerships_creator_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_creator_partnerships_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_creator_partnerships')),
    sa.UniqueConstraint('tenant_id', 'creator_id', name=op.f('uq_creator_partnerships_tenant_id_creator_id'))
    )
    with op.batch_alter_table('creator_partnerships', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_creator_partnerships_creator_id'), ['creator_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_creator_partnerships_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('creator_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('creator_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('target', sa.String(length=10), nullable=False),
    sa.Column('drop_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.CheckConstraint("(target = 'drop') = (drop_id IS NOT NULL)", name=op.f('ck_creator_links_drop_target_has_drop')),
    sa.CheckConstraint("target IN ('drop', 'brand')", name=op.f('ck_creator_links_target_known')),
    sa.ForeignKeyConstraint(['creator_id'], ['users.id'], name=op.f('fk_creator_links_creator_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id', 'drop_id'], ['drops.tenant_id', 'drops.id'], name=op.f('fk_creator_links_tenant_id_drop_id_drops'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_creator_links_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_creator_links')),
    sa.UniqueConstraint('code', name=op.f('uq_creator_links_code'))
    )
    with op.batch_alter_table('creator_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_creator_links_creator_id'), ['creator_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_creator_links_drop_id'), ['drop_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_creator_links_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('link_click_hours',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('link_id', sa.Integer(), nullable=False),
    sa.Column('hour', sa.DateTime(), nullable=False),
    sa.Column('clicks', sa.Integer(), nullable=False),
    sa.CheckConstraint('clicks >= 0', name=op.f('ck_link_click_hours_clicks_nonnegative')),
    sa.ForeignKeyConstraint(['link_id'], ['creator_links.id'], name=op.f('fk_link_click_hours_link_id_creator_links'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_link_click_hours')),
    sa.UniqueConstraint('link_id', 'hour', name=op.f('uq_link_click_hours_link_id_hour'))
    )
    with op.batch_alter_table('link_click_hours', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_link_click_hours_link_id'), ['link_id'], unique=False)

    op.create_table('link_visitors',
    sa.Column('link_id', sa.Integer(), nullable=False),
    sa.Column('visitor', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['link_id'], ['creator_links.id'], name=op.f('fk_link_visitors_link_id_creator_links'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('link_id', 'visitor', name=op.f('pk_link_visitors'))
    )

    op.create_table('link_click_flushes',
    sa.Column('batch', sa.String(length=32), nullable=False),
    sa.Column('clicks', sa.Integer(), nullable=False),
    sa.Column('flushed_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('batch', name=op.f('pk_link_click_flushes'))
    )
    with op.batch_alter_table('link_click_flushes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_link_click_flushes_flushed_at'), ['flushed_at'], unique=False)

    op.create_table('creator_commissions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('sub_order_id', sa.Integer(), nullable=False),
    sa.Column('link_id', sa.Integer(), nullable=False),
    sa.Column('creator_id', sa.Integer(), nullable=False),
    sa.Column('commission_bp', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.CheckConstraint('commission_bp BETWEEN 0 AND 5000', name=op.f('ck_creator_commissions_commission_range')),
    sa.ForeignKeyConstraint(['creator_id'], ['users.id'], name=op.f('fk_creator_commissions_creator_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['link_id'], ['creator_links.id'], name=op.f('fk_creator_commissions_link_id_creator_links'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_creator_commissions_order_id_orders'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id', 'sub_order_id'], ['sub_orders.tenant_id', 'sub_orders.id'], name=op.f('fk_creator_commissions_tenant_id_sub_order_id_sub_orders'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_creator_commissions_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_creator_commissions')),
    sa.UniqueConstraint('sub_order_id', name=op.f('uq_creator_commissions_sub_order_id'))
    )
    with op.batch_alter_table('creator_commissions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_creator_commissions_creator_id'), ['creator_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_creator_commissions_link_id'), ['link_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_creator_commissions_order_id'), ['order_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_creator_commissions_tenant_id'), ['tenant_id'], unique=False)

    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('creator_link_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_orders_creator_link_id'), ['creator_link_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_orders_creator_link_id_creator_links'), 'creator_links', ['creator_link_id'], ['id'], ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_orders_creator_link_id_creator_links'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_orders_creator_link_id'))
        batch_op.drop_column('creator_link_id')

    with op.batch_alter_table('creator_commissions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_creator_commissions_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_creator_commissions_order_id'))
        batch_op.drop_index(batch_op.f('ix_creator_commissions_link_id'))
        batch_op.drop_index(batch_op.f('ix_creator_commissions_creator_id'))
    op.drop_table('creator_commissions')

    with op.batch_alter_table('link_click_flushes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_link_click_flushes_flushed_at'))
    op.drop_table('link_click_flushes')

    op.drop_table('link_visitors')

    with op.batch_alter_table('link_click_hours', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_link_click_hours_link_id'))
    op.drop_table('link_click_hours')

    with op.batch_alter_table('creator_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_creator_links_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_creator_links_drop_id'))
        batch_op.drop_index(batch_op.f('ix_creator_links_creator_id'))
    op.drop_table('creator_links')

    with op.batch_alter_table('creator_partnerships', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_creator_partnerships_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_creator_partnerships_creator_id'))
    op.drop_table('creator_partnerships')
