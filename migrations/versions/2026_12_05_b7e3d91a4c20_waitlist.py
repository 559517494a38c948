"""waitlist: shoppers waiting for units that come back, in line per drop item, and each drop's offer window

Revision ID: b7e3d91a4c20
Revises: 7554b1c2f438
Create Date: 2026-12-05 18:40:08.539634

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7e3d91a4c20'
down_revision = '7554b1c2f438'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('waitlist_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('drop_id', sa.Integer(), nullable=False),
    sa.Column('variant_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('offer_hold_id', sa.String(length=20), nullable=True),
    sa.Column('offer_cart_token', sa.String(length=64), nullable=True),
    sa.Column('offer_expires_at', sa.DateTime(), nullable=True),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.CheckConstraint("state IN ('waiting', 'offered', 'bought', 'lapsed', 'left')", name=op.f('ck_waitlist_entries_state_known')),
    sa.ForeignKeyConstraint(['tenant_id', 'drop_id'], ['drops.tenant_id', 'drops.id'], name=op.f('fk_waitlist_entries_tenant_id_drop_id_drops'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id', 'variant_id'], ['variants.tenant_id', 'variants.id'], name=op.f('fk_waitlist_entries_tenant_id_variant_id_variants'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_waitlist_entries_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_waitlist_entries')),
    sa.UniqueConstraint('drop_id', 'variant_id', 'email', name=op.f('uq_waitlist_entries_drop_id_variant_id_email'))
    )
    with op.batch_alter_table('waitlist_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_waitlist_entries_drop_id'), ['drop_id'], unique=False)
        batch_op.create_index('ix_waitlist_entries_line', ['variant_id', 'state', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_waitlist_entries_offer_hold_id'), ['offer_hold_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_waitlist_entries_tenant_id'), ['tenant_id'], unique=False)

    with op.batch_alter_table('drops', schema=None) as batch_op:
        batch_op.add_column(sa.Column('waitlist_offer_minutes', sa.Integer(), server_default='10', nullable=False))
        batch_op.create_check_constraint(
            op.f('ck_drops_waitlist_offer_minutes_range'), 'waitlist_offer_minutes BETWEEN 1 AND 120'
        )



def downgrade():
    with op.batch_alter_table('drops', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_drops_waitlist_offer_minutes_range'), type_='check')
        batch_op.drop_column('waitlist_offer_minutes')

    with op.batch_alter_table('waitlist_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_waitlist_entries_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_waitlist_entries_offer_hold_id'))
        batch_op.drop_index('ix_waitlist_entries_line')
        batch_op.drop_index(batch_op.f('ix_waitlist_entries_drop_id'))

    op.drop_table('waitlist_entries')
