"""Row ids: every table's id is an INTEGER column, so only 1..MAX_ID can name a row."""

from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """`<id:name>` in a route: 0, a leading zero or anything past MAX_ID matches no route (404), never a query."""

    regex = r"[1-9][0-9]{0,9}"  # at most ten digits, so a 10,000-digit segment is never even parsed

    def __init__(self, map) -> None:
        super().__init__(map, min=1, max=MAX_ID)


def is_row_id(value: int) -> bool:
    """Whether `value` could be a row's id (for ids read from forms and query strings)."""
    return 0 < value <= MAX_ID


def row_id(text: str) -> int:
    """`request.args.get(name, type=row_id)`: an id no row can have reads as no value at all."""
    value = int(text)
    if not is_row_id(value):
        raise ValueError(f"{text!r} is not a row id")
    return value
