"""A job that fails for real when an RQ worker runs it."""


def charge_the_moon() -> None:
    raise RuntimeError("the moon refused the charge")
