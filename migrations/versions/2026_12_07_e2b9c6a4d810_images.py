"""images: uploaded pictures (content-hashed renditions), a picture per product and variant, a brand's logo and banner

Revision ID: e2b9c6a4d810
Revises: c4a8e2f17d35
Create Date: 2026-12-07 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e2b9c6a4d810'
down_revision = 'c4a8e2f17d35'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('images',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('digest', sa.String(length=32), nullable=False),
    sa.Column('source_format', sa.String(length=8), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('widths', sa.String(length=40), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.CheckConstraint('width > 0 AND height > 0', name=op.f('ck_images_size_positive')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_images_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_images')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_images_tenant_id_id'))
    )
    with op.batch_alter_table('images', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_images_digest'), ['digest'], unique=False)
        batch_op.create_index(batch_op.f('ix_images_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('brand_images',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slot', sa.String(length=8), nullable=False),
    sa.Column('image_id', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.CheckConstraint("slot IN ('logo', 'banner')", name=op.f('ck_brand_images_slot_known')),
    sa.ForeignKeyConstraint(['tenant_id', 'image_id'], ['images.tenant_id', 'images.id'], name=op.f('fk_brand_images_tenant_id_image_id_images'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_brand_images_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_brand_images')),
    sa.UniqueConstraint('tenant_id', 'slot', name=op.f('uq_brand_images_tenant_id_slot'))
    )
    with op.batch_alter_table('brand_images', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_brand_images_image_id'), ['image_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_brand_images_tenant_id'), ['tenant_id'], unique=False)

    for table in ('products', 'variants'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('image_id', sa.Integer(), nullable=True))
            batch_op.create_index(batch_op.f(f'ix_{table}_image_id'), ['image_id'], unique=False)
            batch_op.create_foreign_key(
                batch_op.f(f'fk_{table}_image_id_images'), 'images', ['image_id'], ['id'], ondelete='SET NULL'
            )


def downgrade():
    for table in ('variants', 'products'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f'fk_{table}_image_id_images'), type_='foreignkey')
            batch_op.drop_index(batch_op.f(f'ix_{table}_image_id'))
            batch_op.drop_column('image_id')

    with op.batch_alter_table('brand_images', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_brand_images_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_brand_images_image_id'))

    op.drop_table('brand_images')
    with op.batch_alter_table('images', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_images_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_images_digest'))

    op.drop_table('images')
