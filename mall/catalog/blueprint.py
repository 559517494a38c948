"""Brand dashboard: products, variants and the stock split across shared hubs."""

from flask import flash, g, redirect, request, url_for

from mall.catalog import services
from mall.catalog.forms import ProductForm, VariantForm, stock_form
from mall.catalog.models import Product, Variant
from mall.media import services as media
from mall.media.forms import receive_upload, upload_form
from mall.rendering import render_page
from mall.request_checks import takes_upload
from tenants.dashboard import MANAGERS, brand_blueprint, requires_role
from tenants.scoping import get_for_tenant_or_404

bp = brand_blueprint("catalog", __name__)


@bp.context_processor
def _roles():
    membership = g.get("membership")
    return {"can_manage": membership is not None and membership.role in MANAGERS}


def _see_other(endpoint: str, **values):
    return redirect(url_for(endpoint, **values), code=303)


# Products --------------------------------------------------------------------


@bp.get("/products")
def products():
    return render_page("catalog/products.html", summaries=services.product_summaries(g.tenant.id))


@bp.route("/products/new", methods=["GET", "POST"])
@requires_role(*MANAGERS)
def new_product():
    form = ProductForm()
    if form.validate_on_submit():
        product = services.create_product(g.tenant.id, form.name.data, form.description.data)
        flash(f"Created {product.name}. Now add its first variant.")
        return _see_other(".product", product_id=product.id)
    return render_page("catalog/new_product.html", status=422 if form.errors else 200, form=form)


@bp.get("/products/<id:product_id>")
def product(product_id: int):
    product = get_for_tenant_or_404(Product, product_id)
    return _product_page(product, ProductForm(obj=product), VariantForm(tenant_id=g.tenant.id))


@bp.post("/products/<id:product_id>")
@requires_role(*MANAGERS)
def update_product(product_id: int):
    product = get_for_tenant_or_404(Product, product_id)
    form = ProductForm()
    if form.validate_on_submit():
        services.update_product(product, form.name.data, form.description.data)
        flash("Product saved.")
        return _see_other(".product", product_id=product.id)
    return _product_page(product, form, VariantForm(formdata=None, tenant_id=g.tenant.id), status=422)


@bp.post("/products/<id:product_id>/variants")
@requires_role(*MANAGERS)
def add_variant(product_id: int):
    product = get_for_tenant_or_404(Product, product_id)
    form = VariantForm(tenant_id=g.tenant.id)
    if form.validate_on_submit():
        try:
            variant = services.add_variant(product, form.sku.data, form.variant_name.data, form.price_cents)
        except services.SkuTaken:
            form.sku.errors.append(f"SKU {form.sku.data} is already used by another of your variants.")
        else:
            if not request.htmx:
                flash(f"Added variant {variant.sku}.")
                return _see_other(".product", product_id=product.id)
            fresh = VariantForm(formdata=None, tenant_id=g.tenant.id)
            return _product_page(product, None, fresh, added=variant)
    return _product_page(product, ProductForm(formdata=None, obj=product), form, status=422)


def _product_page(product, form, variant_form, status=200, added=None, image_form=None):
    return render_page(
        "catalog/product.html",
        "variants",
        status=status,
        product=product,
        form=form,
        variant_form=variant_form,
        added=added,
        image_form=image_form or upload_form("Product picture", formdata=None),
    )


# Variants --------------------------------------------------------------------


@bp.get("/variants/<id:variant_id>")
def variant(variant_id: int):
    variant = get_for_tenant_or_404(Variant, variant_id)
    return _variant_page(variant, _variant_form(variant))


def _variant_form(variant, **kwargs) -> VariantForm:
    data = {"sku": variant.sku, "variant_name": variant.name, "price": services.price_text(variant.price_cents)}
    return VariantForm(tenant_id=g.tenant.id, variant_id=variant.id, data=data, **kwargs)


def _variant_page(variant, form, status=200, image_form=None):
    image_form = image_form or upload_form("Variant picture", formdata=None)
    return render_page("catalog/variant.html", status=status, variant=variant, form=form, image_form=image_form)


@bp.post("/variants/<id:variant_id>")
@requires_role(*MANAGERS)
def update_variant(variant_id: int):
    variant = get_for_tenant_or_404(Variant, variant_id)
    form = VariantForm(tenant_id=g.tenant.id, variant_id=variant.id)
    if form.validate_on_submit():
        try:
            services.update_variant(variant, form.sku.data, form.variant_name.data, form.price_cents)
        except services.SkuTaken:
            form.sku.errors.append(f"SKU {form.sku.data} is already used by another of your variants.")
        else:
            flash(f"Saved variant {variant.sku}.")
            return _see_other(".product", product_id=variant.product_id)
    return _variant_page(variant, form, status=422)


# Pictures --------------------------------------------------------------------


@bp.post("/products/<id:product_id>/image")
@takes_upload
@requires_role(*MANAGERS)
def upload_product_image(product_id: int):
    product = get_for_tenant_or_404(Product, product_id)
    form = upload_form("Product picture")
    status = receive_upload(form, lambda data: media.give_image(product, data))
    if status is None:
        flash(f"Picture saved: shoppers see it on {product.name}'s drops.")
        return _see_other(".product", product_id=product.id)
    blank_variant = VariantForm(formdata=None, tenant_id=g.tenant.id)
    return _product_page(product, ProductForm(formdata=None, obj=product), blank_variant, status, image_form=form)


@bp.post("/products/<id:product_id>/image/remove")
@requires_role(*MANAGERS)
def remove_product_image(product_id: int):
    product = get_for_tenant_or_404(Product, product_id)
    if media.take_image_away(product):
        flash("Picture removed.")
    return _see_other(".product", product_id=product.id)


@bp.post("/variants/<id:variant_id>/image")
@takes_upload
@requires_role(*MANAGERS)
def upload_variant_image(variant_id: int):
    variant = get_for_tenant_or_404(Variant, variant_id)
    form = upload_form("Variant picture")
    status = receive_upload(form, lambda data: media.give_image(variant, data))
    if status is None:
        flash(f"Picture saved for {variant.sku}.")
        return _see_other(".variant", variant_id=variant.id)
    return _variant_page(variant, _variant_form(variant, formdata=None), status, image_form=form)


@bp.post("/variants/<id:variant_id>/image/remove")
@requires_role(*MANAGERS)
def remove_variant_image(variant_id: int):
    variant = get_for_tenant_or_404(Variant, variant_id)
    if media.take_image_away(variant):
        flash(f"Picture removed from {variant.sku}; its product's picture shows instead.")
    return _see_other(".variant", variant_id=variant.id)


# Stock -----------------------------------------------------------------------


@bp.get("/variants/<id:variant_id>/stock")
def variant_stock(variant_id: int):
    variant = get_for_tenant_or_404(Variant, variant_id)
    lines = services.hub_stock(variant)
    return _stock_page(variant, lines, stock_form(lines))


@bp.post("/variants/<id:variant_id>/stock")
@requires_role(*MANAGERS)
def save_variant_stock(variant_id: int):
    variant = get_for_tenant_or_404(Variant, variant_id)
    form = stock_form(services.hub_stock(variant))
    if form.validate_on_submit():
        try:
            services.set_stock_split(variant, form.on_hand_by_hub())
        except services.StockBelowSold as refused:
            _attach_stock_problems(form, refused.problems)
        else:
            flash(f"Stock for {variant.sku} saved.")
            return _see_other(".variant_stock", variant_id=variant.id)
    return _stock_page(variant, services.hub_stock(variant), form, status=422)


def _attach_stock_problems(form, problems: dict[int, str]) -> None:
    for hub_id, message in problems.items():
        name = f"hub_{hub_id}"
        (form[name].errors if name in form else form.form_errors).append(message)


def _stock_page(variant, lines, form, status=200):
    totals = {
        "on_hand": sum(line.on_hand for line in lines),
        "held": sum(line.held for line in lines),
        "sold": sum(line.sold for line in lines),
        "available": sum(line.available for line in lines),
    }
    return render_page(
        "catalog/variant_stock.html", status=status, variant=variant, lines=lines, form=form, totals=totals
    )


@bp.get("/stock")
def stock():
    matrix = services.stock_matrix(services.variants_of(g.tenant.id))
    return render_page("catalog/stock.html", matrix=matrix)
