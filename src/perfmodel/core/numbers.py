"""Numbers shown to a person: rounded as Excel displays them, so a page and the workbook agree.

Python rounds a binary float half to even (``f"{91.25:.1f}"`` is ``'91.2'``, and 2.675,
stored as 2.67499999999999982236431605997495353221893310546875, gives ``'2.67'``). Excel
displays a number by first taking its 15 significant decimal digits (2.675 is then
2.67500000000000) and rounding that decimal half away from zero in the number format
(``0.00`` shows 2.68, ``0.0`` shows 91.3 for 91.25, ``0`` shows -1 for -0.5; a
percent format multiplies the decimal by 100 first: 0.9125 in ``0.0%`` shows 91.3%).
The helpers here round the same way. They are for display only: values stored in CSV
files and workbooks keep their full precision.

Examples
--------
>>> round_half_up(91.25, 1), round_half_up(2.675, 2), round_half_up(-0.5)
(91.3, 2.68, -1.0)
>>> format_number(0.9125, ".1%"), format_number(72000, ",.0f"), format_number(-1.25, "+.1f")
('91.3%', '72,000', '-1.3')
"""
from __future__ import annotations

import math
import re
from decimal import ROUND_HALF_UP, Decimal

EXCEL_DIGITS = 15  # Excel keeps 15 significant decimal digits of a number

# A fixed-point or percent format spec: optional sign, thousands separator, precision, f or %.
_SPEC = re.compile(r"^(?P<sign>[+\- ]?)(?P<comma>,?)\.(?P<digits>\d+)(?P<kind>[f%])$")
_TEMPLATE = re.compile(r"^\{:(?P<spec>[^{}]*)\}$")


def excel_decimal(x: float) -> Decimal:
    """Return ``x`` as the decimal Excel sees: its 15 significant digits.

    Returns
    -------
    decimal.Decimal
        The value rounded to 15 significant digits (``2.675`` -> ``Decimal('2.67500000000000')``).

    Examples
    --------
    >>> excel_decimal(2.675)
    Decimal('2.67500000000000')
    >>> excel_decimal(0.1 + 0.2)
    Decimal('0.300000000000000')
    """
    return Decimal(f"{float(x):.{EXCEL_DIGITS - 1}e}")


def _rounded(x: float, digits: int) -> Decimal:
    return excel_decimal(x).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)


def round_half_up(x: float, digits: int = 0) -> float:
    """Round ``x`` to ``digits`` decimals as Excel displays it (half away from zero).

    The tie is judged on the 15-significant-digit decimal value Excel sees.

    Returns
    -------
    float
        The rounded value (NaN and infinities are returned as they are).

    Examples
    --------
    >>> round_half_up(91.25, 1), round(91.25, 1)
    (91.3, 91.2)
    >>> round_half_up(2.675, 2), round_half_up(0.125, 2), round_half_up(-0.5), round_half_up(-2.5)
    (2.68, 0.13, -1.0, -3.0)
    """
    x = float(x)
    if not math.isfinite(x):
        return x
    return float(_rounded(x, digits))


def format_number(x: float, spec: str = ".1f") -> str:
    """Format ``x`` with a format spec, rounding as Excel displays it.

    Fixed-point and percent specs (``".1f"``, ``"+.2f"``, ``",.0f"``, ``".1%"``) round as
    :func:`round_half_up` does.

    Any other spec (``"g"``, ``","``, ``"d"``) is applied by :func:`format` unchanged, and so
    are NaN and infinities.

    Returns
    -------
    str
        The formatted number.

    Examples
    --------
    >>> format_number(91.25), f"{91.25:.1f}"
    ('91.3', '91.2')
    >>> format_number(0.125, ".2f"), format_number(0.12345, ".2%"), format_number(1234.5, ",.0f")
    ('0.13', '12.35%', '1,235')
    >>> format_number(3, "g"), format_number(float("nan"), ".1f")
    ('3', 'nan')
    """
    m = _SPEC.match(spec)
    if m is None or isinstance(x, (bool, str)):
        return format(x, spec)
    try:
        value = float(x)
    except (TypeError, ValueError):
        return format(x, spec)
    if not math.isfinite(value):
        return format(value, spec)
    digits = int(m["digits"])
    if m["kind"] == "%":  # Excel's percent: the decimal times 100, then rounded
        d = (excel_decimal(value).scaleb(2)).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
        return format(d, f"{m['sign']}{m['comma']}.{digits}f") + "%"
    return format(_rounded(value, digits), f"{m['sign']}{m['comma']}.{digits}f")


def format_with(template: str, x) -> str:
    """Fill a one-field template such as ``"{:.1f}"`` with ``x``, rounding as Excel displays it.

    Fixed-point and percent fields (``"{:+.1%}"``) round as :func:`round_half_up` does; any
    other template is filled by :meth:`str.format`.

    Returns
    -------
    str
        The filled template.

    Examples
    --------
    >>> format_with("{:.1f}", 91.25), format_with("{:+.1f}", 0.25), format_with("{:.0%}", 0.125)
    ('91.3', '+0.3', '13%')
    >>> format_with("{:,}", 72000), format_with("≥ {:.2f}", 4.305)
    ('72,000', '≥ 4.31')
    """
    m = _TEMPLATE.match(template)
    if m is not None:
        return format_number(x, m["spec"])
    parts = re.fullmatch(r"(?P<pre>[^{}]*)\{:(?P<spec>[^{}]*)\}(?P<post>[^{}]*)", template)
    if parts is not None:
        return parts["pre"] + format_number(x, parts["spec"]) + parts["post"]
    return template.format(x)


class _Shown(float):
    """A float whose format specs round as Excel displays it (``f"{x:.1f}"`` on 91.25 is 91.3)."""

    __slots__ = ()

    def __format__(self, spec: str) -> str:
        return format_number(float(self), spec)


def shown(x):
    """Return ``x`` so that a format spec in a template rounds it as Excel displays it.

    Returns
    -------
    float or object
        A float (subclass) for a float ``x``; anything else unchanged.

    Examples
    --------
    >>> f"{shown(0.505):.0%} {shown(91.25):.1f} {shown(3)}"
    '51% 91.3 3'
    """
    return _Shown(x) if isinstance(x, float) and not isinstance(x, _Shown) else x


def shown_values(values: dict) -> dict:
    """Return ``values`` with every float made to round as Excel displays it inside a template.

    Message templates carry their own format specs (``"Mean total score {mean:.1f}"``);
    filling them with these values rounds ties as the workbook shows them. Other values
    (ints, text, None) are passed through.

    Returns
    -------
    dict
        The same keys; floats wrapped, everything else unchanged.

    Examples
    --------
    >>> "Mean total score {mean:.1f}, {share:.0%} of {n}".format(**shown_values({"mean": 91.25, "share": 0.125, "n": 8}))
    'Mean total score 91.3, 13% of 8'
    >>> "{x} {x:.4g}".format(**shown_values({"x": 2.675}))
    '2.675 2.675'
    """
    return {k: shown(v) for k, v in values.items()}
