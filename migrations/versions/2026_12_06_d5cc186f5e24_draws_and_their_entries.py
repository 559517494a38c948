"""draws: a drop's draw (entry window, purchase window, seed and its published hash) and its entries

Revision ID: d5cc186f5e24
Revises: e2b9c6a4d810
Create Date: 2026-12-06 00:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd5cc186f5e24'
down_revision = 'e2b9c6a4d810'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('draws',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('drop_id', sa.Integer(), nullable=False),
    sa.Column('entries_open_at', sa.DateTime(), nullable=False),
    sa.Column('entries_close_at', sa.DateTime(), nullable=False),
    sa.Column('purchase_minutes', sa.Integer(), nullable=False),
    sa.Column('seed', sa.String(length=64), nullable=False),
    sa.Column('seed_hash', sa.String(length=64), nullable=False),
    sa.Column('hash_published_at', sa.DateTime(), nullable=False),
    sa.Column('drawn_at', sa.DateTime(), nullable=True),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.CheckConstraint('entries_open_at < entries_close_at', name=op.f('ck_draws_entries_window')),
    sa.CheckConstraint('purchase_minutes BETWEEN 1 AND 240', name=op.f('ck_draws_purchase_minutes_range')),
    sa.ForeignKeyConstraint(['tenant_id', 'drop_id'], ['drops.tenant_id', 'drops.id'], name=op.f('fk_draws_tenant_id_drop_id_drops'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_draws_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_draws')),
    sa.UniqueConstraint('drop_id', name=op.f('uq_draws_drop_id'))
    )
    with op.batch_alter_table('draws', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_draws_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('draw_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('draw_id', sa.Integer(), nullable=False),
    sa.Column('drop_id', sa.Integer(), nullable=False),
    sa.Column('variant_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('cart_token', sa.String(length=64), nullable=False),
    sa.Column('ip_address', sa.String(length=45), nullable=False),
    sa.Column('delivery_address', sa.Text(), nullable=False),
    sa.Column('postcode', sa.String(length=12), nullable=False),
    sa.Column('address_key', sa.String(length=300), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('confirmed_at', sa.DateTime(), nullable=True),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('position', sa.Integer(), nullable=True),
    sa.Column('won_at', sa.DateTime(), nullable=True),
    sa.Column('backfill', sa.Boolean(), nullable=False),
    sa.Column('win_hold_id', sa.String(length=20), nullable=True),
    sa.Column('win_cart_token', sa.String(length=64), nullable=True),
    sa.Column('win_expires_at', sa.DateTime(), nullable=True),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.CheckConstraint("state IN ('pending', 'confirmed', 'voided', 'reserve', 'won', 'bought', 'lapsed', 'lost')", name=op.f('ck_draw_entries_state_known')),
    sa.ForeignKeyConstraint(['draw_id'], ['draws.id'], name=op.f('fk_draw_entries_draw_id_draws'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id', 'variant_id'], ['variants.tenant_id', 'variants.id'], name=op.f('fk_draw_entries_tenant_id_variant_id_variants'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_draw_entries_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_draw_entries')),
    sa.UniqueConstraint('draw_id', 'cart_token', name=op.f('uq_draw_entries_draw_id_cart_token')),
    sa.UniqueConstraint('draw_id', 'email', name=op.f('uq_draw_entries_draw_id_email'))
    )
    with op.batch_alter_table('draw_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_draw_entries_drop_id'), ['drop_id'], unique=False)
        batch_op.create_index('ix_draw_entries_order', ['draw_id', 'state', 'position'], unique=False)
        batch_op.create_index(batch_op.f('ix_draw_entries_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_draw_entries_win_hold_id'), ['win_hold_id'], unique=False)



def downgrade():
    with op.batch_alter_table('draw_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_draw_entries_win_hold_id'))
        batch_op.drop_index(batch_op.f('ix_draw_entries_tenant_id'))
        batch_op.drop_index('ix_draw_entries_order')
        batch_op.drop_index(batch_op.f('ix_draw_entries_drop_id'))

    op.drop_table('draw_entries')
    with op.batch_alter_table('draws', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_draws_tenant_id'))

    op.drop_table('draws')
