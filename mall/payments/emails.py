"""The emails a payment's outcome sends, through the outbox."""

from flask import render_template

from mall.outbox.delivery import queue_delivery
from mall.outbox.models import OutboxEmail
from mall.urls import external_url


def apology_key(order) -> str:
    return f"payment-refunded-sold-out:{order.number}"


def apology(order) -> OutboxEmail:
    link = external_url("checkout.track", token=order.tracking_token)
    return OutboxEmail(
        to_address=order.email,
        subject=f"Sorry — your Flashmall order {order.number} sold out during payment; you are refunded",
        body=render_template("payments/email_sold_out_refund.txt", order=order, link=link),
        dedupe_key=apology_key(order),
    )


def send(dedupe_key: str) -> None:
    queue_delivery(dedupe_key)
