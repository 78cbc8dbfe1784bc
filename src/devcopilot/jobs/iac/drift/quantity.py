"""Kubernetes quantities by value: ``1`` = ``"1"`` = ``1000m``, ``1Gi`` = ``1024Mi``, ``0.5`` = ``500m``.

The API server rewrites quantities to a canonical form (``0.5`` comes back as
``500m``), so comparing them as text reports drift nobody made.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

_QUANTITY = re.compile(r"^([+-]?(?:\d+\.?\d*|\.\d+))(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?\d+)?$")
_BINARY = {"Ki": 1, "Mi": 2, "Gi": 3, "Ti": 4, "Pi": 5, "Ei": 6}
_DECIMAL = {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}

QUANTITY_KEYS = frozenset(
    {"limits", "requests", "capacity", "allocatable", "hard", "used", "overhead", "sizeLimit", "divisor"}
)
"""Keys whose values (or whose children's values) are quantities, in every kind that has them."""


def parse(value: Any) -> Decimal | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    match = _QUANTITY.match(value.strip()) if isinstance(value, str) else None
    if match is None:
        return None
    try:
        number = Decimal(match.group(1))
    except InvalidOperation:
        return None
    suffix = match.group(2) or ""
    if suffix in _BINARY:
        return number * Decimal(1024 ** _BINARY[suffix])
    exponent = _DECIMAL[suffix] if suffix in _DECIMAL else int(suffix[1:])
    return number.scaleb(exponent)


def same(left: Any, right: Any) -> bool:
    a, b = parse(left), parse(right)
    return a is not None and b is not None and a == b
