"""Flashmall: a multi-tenant micro-flash mall.

`create_app` imports Flask lazily so that `python3 -m mall` can bootstrap a
fresh machine (create the virtualenv, install) using only the standard library.
"""


def create_app(test_config=None):
    from mall.app import build_app

    return build_app(test_config)
