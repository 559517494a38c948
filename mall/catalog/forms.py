"""Product, variant and stock-split forms."""

from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Regexp, ValidationError

from mall.catalog import services
from mall.forms import WholeNumberField, plain_text, present, strip, upper




class ProductForm(FlaskForm):
    name = StringField(
        "Product name",
        filters=[strip],
        validators=[
            DataRequired("Give the product a name."),
            Length(max=120, message="Keep the name under 120 characters."),
            plain_text,
        ],
    )
    description = TextAreaField(
        "Description",
        filters=[strip],
        validators=[Length(max=2000, message="Keep the description under 2,000 characters."), plain_text],
    )


class VariantForm(FlaskForm):
    sku = StringField(
        "SKU",
        filters=[strip, upper],
        validators=[
            DataRequired("Enter a SKU."),
            Length(max=40, message="A SKU is at most 40 characters."),
            Regexp(r"^[A-Z0-9][A-Z0-9._-]*$", message="Use letters, digits, dots, dashes or underscores."),
        ],
    )
    # Not `name`: the product form on the same page already has an input with that id.
    variant_name = StringField(
        "Variant name",
        filters=[strip],
        validators=[Length(max=80, message="Keep the name under 80 characters."), plain_text],
    )
    price = StringField("Price (£)", filters=[strip])

    def __init__(self, *args, tenant_id: int, variant_id: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.tenant_id = tenant_id
        self.variant_id = variant_id
        self.price_cents: int | None = None

    def validate_sku(self, field):
        if services.sku_taken(self.tenant_id, field.data, except_variant_id=self.variant_id):
            raise ValidationError(f"SKU {field.data} is already used by another of your variants.")

    def validate_price(self, field):
        try:
            self.price_cents = services.parse_price(field.data)
        except services.PriceError as error:
            raise ValidationError(str(error)) from None


def stock_form(lines: list[services.HubStock]) -> FlaskForm:
    """One whole-number field per editable hub, named hub_<id>, prefilled with on_hand."""

    class StockForm(FlaskForm):
        def hub_field(self, hub_id: int):
            return self[f"hub_{hub_id}"]

        def on_hand_by_hub(self) -> dict[int, int]:
            return {line.hub.id: self.hub_field(line.hub.id).data for line in editable}

    editable = [line for line in lines if line.editable]
    for line in editable:
        field = WholeNumberField(
            f"{line.hub.name} ({line.hub.kind_label})",
            validators=[
                present(f"Enter the units on hand at {line.hub.name} (0 for none)."),
                NumberRange(0, services.MAX_UNITS_PER_HUB, message="Between 0 and 1,000,000 units."),
            ],
        )
        setattr(StockForm, f"hub_{line.hub.id}", field)
    return StockForm(data={f"hub_{line.hub.id}": line.on_hand for line in editable})
