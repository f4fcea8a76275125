"""Reading ids from what clients send (query strings, form fields, JSON, paths).

`str.isdigit()` is true for `²` and other Unicode digits that `int()` refuses, and `int()` takes
Arabic-Indic digits and values PostgreSQL's bigint cannot hold: every id from outside goes through
`parse_id`, which answers None for anything that cannot be one of our primary keys.
"""

MAX_ID = 2**63 - 1


def parse_id(raw) -> int | None:
    """The integer behind an id a client sent, or None when it cannot be one of ours."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        value = raw
    elif isinstance(raw, str) and raw.isascii() and raw.isdigit():
        value = int(raw)
    else:
        return None
    return value if 0 < value <= MAX_ID else None


def parse_ids(raw: str, *, limit: int = 100) -> list[int]:
    """The valid ids of a comma-separated list ("1,2,3"), at most `limit` of them; others are dropped."""
    ids = (parse_id(part.strip()) for part in (raw or "").split(","))
    return [pk for pk in ids if pk is not None][:limit]
