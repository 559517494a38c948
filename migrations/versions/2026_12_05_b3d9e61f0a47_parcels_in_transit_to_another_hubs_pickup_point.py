"""parcels in transit to another hub's pickup point: a status and the time the parcel left its packing hub

Revision ID: b3d9e61f0a47
Revises: b7e3d91a4c20
Create Date: 2026-12-05 18:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b3d9e61f0a47'
down_revision = 'b7e3d91a4c20'
branch_labels = None
depends_on = None

OLD = "status IN ('routed', 'picking', 'ready_for_pickup', 'out_for_delivery', 'handed_over', 'cancelled')"
NEW = "status IN ('routed', 'picking', 'in_transit', 'ready_for_pickup', 'out_for_delivery', 'handed_over', 'cancelled')"


def upgrade():
    with op.batch_alter_table('parcels', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sent_at', sa.DateTime(), nullable=True))
        batch_op.drop_constraint(batch_op.f('ck_parcels_status_known'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_parcels_status_known'), NEW)


def downgrade():
    # A parcel still on the road is put back where it was packed, waiting to be sent again.
    op.execute("UPDATE parcels SET status = 'picking' WHERE status = 'in_transit'")
    with op.batch_alter_table('parcels', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_parcels_status_known'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_parcels_status_known'), OLD)
        batch_op.drop_column('sent_at')
