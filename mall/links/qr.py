"""QR codes of a link's full address, for pop-up posters (made by segno: SVG and PNG)."""

import io

import segno


def _code(url: str):
    return segno.make(url, error="m", micro=False)


def qr_svg(url: str) -> bytes:
    out = io.BytesIO()
    _code(url).save(out, kind="svg", scale=6, border=4, xmldecl=False, title=url)
    return out.getvalue()


def qr_png(url: str) -> bytes:
    out = io.BytesIO()
    _code(url).save(out, kind="png", scale=10, border=4)
    return out.getvalue()
