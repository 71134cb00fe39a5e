"""Bounds on everything that enters from outside (uploads, CSVs, forms, query strings, the command line).

Every check raises ``DataError`` with a short message that quotes at most ``EXCERPT_CHARS`` characters of the
offending input, with control characters shown as ``?`` (``excerpt``), so an error never echoes a file back.

Stated bounds (chosen to be far above what any English council has, and far below what breaks arithmetic):

- every number (hours, money, counts, weeks) is ASCII digits with at most one decimal point, a leading '-' only
  where a negative means something (``number_text``; issue 18 §6): no ``1_000``, ``١٢``, ``１２``, ``1e3``, NaN;
- hours per week of one unit or one moves-file row: 0 … ``MAX_HOURS_PER_WEEK`` (100,000 h; Leicestershire's
  whole weekly total is ~35,000 h), at most ``MAX_HOURS_DECIMALS`` decimal places;
- a council's weekly hours total: 0 … ``MAX_TOTAL_HOURS_PER_WEEK`` (2,000,000 h);
- an hourly rate: 0 … ``MAX_RATE_GBP_PER_HOUR`` (£1,000 per hour), at most 4 decimal places;
- weeks per year 1 … 53 with at most 2 decimal places (52.14 = 365/7; ``weeks_per_year``); framework term
  1 … 50 years; annual uplift −50 … +100 %;
- text fields (zone, scenario, reason, note, user and unit names): printable, no control characters,
  at most ``MAX_TEXT`` characters (reasons and notes ``MAX_LONG_TEXT``), the length checked before any
  per-character work;
- JSON nesting depth ``MAX_JSON_DEPTH``, measured in one linear pass before ``json.loads``;
- council ids: lower case, stripped, ``[a-z0-9_-]{1,64}`` (``Leicestershire `` is ``leicestershire``).
"""

from __future__ import annotations

import os
import re
import stat
import unicodedata
from decimal import Decimal
from pathlib import Path

from .datadir import DataError

EXCERPT_CHARS = 40
MAX_ERROR_CHARS = 600
MAX_TEXT = 120
MAX_LONG_TEXT = 500
MAX_HOURS_PER_WEEK = Decimal("100000")
MAX_HOURS_DECIMALS = 4
MAX_TOTAL_HOURS_PER_WEEK = Decimal("2000000")
MAX_RATE_GBP_PER_HOUR = Decimal("1000")
MAX_RATE_DECIMALS = 4
WEEKS_PER_YEAR = (1, 53)
WEEKS_DECIMALS = 2
TERM_YEARS = (1, 50)
UPLIFT_PCT = (Decimal("-50"), Decimal("100"))
MAX_JSON_DEPTH = 32
MAX_CSV_BYTES = 5_000_000
MAX_CSV_ROWS = 100_000

_COUNCIL_RE = re.compile(r"^[a-z0-9_-]{1,64}$")


def excerpt(value, n: int = EXCERPT_CHARS) -> str:
    """A short printable excerpt of untrusted input for an error message (control characters as ``?``)."""
    s = str(value)
    s = "".join("?" if unicodedata.category(ch)[0] == "C" else ch for ch in s[: n + 1])
    return s if len(s) <= n else s[:n] + "…"


def cap_message(msg: str, n: int = MAX_ERROR_CHARS) -> str:
    """An error message cut to ``n`` characters, control characters removed."""
    msg = "".join(" " if unicodedata.category(ch)[0] == "C" else ch for ch in str(msg))
    return msg if len(msg) <= n else msg[: n - 1] + "…"


def has_control(s: str) -> bool:
    return any(unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn") for ch in s)


def clean_text(value, field: str, max_len: int = MAX_TEXT, required: bool = True) -> str:
    """A text field typed or uploaded by a user: stripped, NFC-normalised, no control characters, bounded.

    ``None`` / NaN count as empty. Raises DataError naming the field (quoting a short excerpt)."""
    if value is None or (isinstance(value, float) and value != value):
        value = ""
    if not isinstance(value, str):
        value = str(value)
    if len(value) > 4 * max_len + 1000:  # bound before strip(): surrounding spaces are not a free pass
        raise DataError(f"{field} is {len(value):,} characters long; the limit is {max_len}")
    s = value.strip()  # no Unicode normalisation: what is typed is what is stored and exported
    if required and not s:
        raise DataError(f"{field} is empty")
    if len(s) > max_len:  # the length first: the per-character scan below only ever sees max_len characters
        raise DataError(f"{field} is {len(s):,} characters long; the limit is {max_len}")
    if has_control(s):
        raise DataError(f"{field} '{excerpt(s)}' contains control characters")
    return s


def norm_council(value) -> str:
    """A council id, case- and space-normalised: ``' Leicestershire '`` -> ``'leicestershire'``."""
    s = str(value if value is not None else "").strip().lower()
    if not _COUNCIL_RE.match(s):
        raise DataError(f"council id '{excerpt(s)}' must be 1-64 characters a-z, 0-9, _ or -")
    return s


#: a number typed or uploaded: ASCII digits, at most one decimal point, a leading '-' only where negatives are
#: meaningful. No '_' (``1_000``), no other scripts' digits (``١٢``, ``１２``), no exponent (``1e3``), no
#: NaN/Infinity, no '+': what Python's ``Decimal`` and ``int`` accept beyond this a spreadsheet shows as text.
_NUMBER_RE = re.compile(r"(-?)([0-9]+(?:\.[0-9]*)?|\.[0-9]+)", re.ASCII)
MAX_NUMBER_CHARS = 40


def number_text(raw, field: str, allow_negative: bool = False) -> str:
    """The canonical text of a number from a CSV cell, a form, the command line or a stored record.

    Text must be ASCII digits with at most one decimal point (``12``, ``12.5``, ``.5``), optionally with a
    leading ``-`` when ``allow_negative``; surrounding spaces are ignored; at most ``MAX_NUMBER_CHARS``
    characters (checked before any other work). ``int`` and finite ``float``/``Decimal`` values (widgets, TOML)
    are written out in plain digits. ``bool`` is not a number. Anything else is a DataError naming ``field``."""
    if isinstance(raw, bool):
        raise DataError(f"{field} is not a number")
    if isinstance(raw, (int, float, Decimal)) and not isinstance(raw, bool):
        d = Decimal(repr(raw)) if isinstance(raw, float) else Decimal(raw)
        if not d.is_finite():
            raise DataError(f"{field} is not a finite number")
        if abs(d.adjusted()) > MAX_NUMBER_CHARS:
            raise DataError(f"{field} is not a number of a sensible size")
        raw = format(d, "f")
    text = "" if raw is None else str(raw)
    if len(text) > MAX_NUMBER_CHARS + 20:
        raise DataError(f"{field} is {len(text):,} characters long; not a number")
    text = text.strip(" \t\r\n")
    if not text:
        raise DataError(f"{field} is missing")
    if len(text) > MAX_NUMBER_CHARS:
        raise DataError(f"{field} '{excerpt(text)}' is not a number")
    m = _NUMBER_RE.fullmatch(text)
    if m is None:
        lowered = text.lower().lstrip("+-")
        if lowered in ("nan", "snan", "inf", "infinity"):
            raise DataError(f"{field} '{excerpt(text)}' is not a finite number")
        raise DataError(f"{field} '{excerpt(text)}' is not a number (use digits 0-9 and at most one '.')")
    if m.group(1) and not allow_negative:
        raise DataError(f"{field} {excerpt(text)} is negative")
    return text


def bounded_decimal(raw, field: str, lo: Decimal, hi: Decimal, max_decimals: int) -> Decimal:
    """A Decimal from text or a number (``number_text``: ASCII digits, one '.', '-' only when ``lo`` < 0),
    within [lo, hi] and with at most ``max_decimals`` places. Never raises anything but DataError."""
    text = number_text(raw, field, allow_negative=lo < 0)
    d = Decimal(text)  # safe: at most 40 plain digits
    if d < lo:
        raise DataError(f"{field} {excerpt(text)} is " + ("negative" if lo == 0 else f"below {lo:,}"))
    if d > hi:
        raise DataError(f"{field} {excerpt(text)} is above the bound of {hi:,}")
    exponent = d.as_tuple().exponent  # 'n'/'N'/'F' for NaN and infinity, which number_text never lets through
    if not isinstance(exponent, int) or exponent < -max_decimals:
        raise DataError(f"{field} {excerpt(text)} has more than {max_decimals} decimal places")
    return d


def hours_per_week(raw, field: str = "hours_per_week") -> Decimal:
    """Hours per week of one unit or row: 0 … 100,000 h, at most 4 decimal places."""
    return bounded_decimal(raw, field, Decimal(0), MAX_HOURS_PER_WEEK, MAX_HOURS_DECIMALS)


def rate_gbp_per_hour(raw, field: str = "rate_gbp_per_hour") -> Decimal:
    """An hourly rate: £0 … £1,000, at most 4 decimal places."""
    return bounded_decimal(raw, field, Decimal(0), MAX_RATE_GBP_PER_HOUR, MAX_RATE_DECIMALS)


def int_in(raw, field: str, lo: int, hi: int) -> int:
    """A whole number in [lo, hi] (ASCII digits, '-' only when ``lo`` < 0; ``number_text``)."""
    try:
        d = Decimal(number_text(raw, field, allow_negative=lo < 0))
    except DataError:
        raise DataError(f"{field} '{excerpt(raw)}' is not a whole number") from None
    if d != d.to_integral_value():
        raise DataError(f"{field} '{excerpt(raw)}' is not a whole number")
    v = int(d)
    if not lo <= v <= hi:
        raise DataError(f"{field} {v} is outside {lo} … {hi}")
    return v


def weeks_per_year(raw, field: str = "weeks per year") -> int | Decimal:
    """Weeks a year: 1 … 53 with at most ``WEEKS_DECIMALS`` (2) decimal places (``number_text``: ASCII digits).

    A whole number comes back as ``int`` (52, 53: every figure and text as with whole weeks), anything else as
    an exact Decimal without trailing zeros (``52.14``, ``52.1``); a float (a widget's) at its shortest repr."""
    d = bounded_decimal(raw, field, Decimal(WEEKS_PER_YEAR[0]), Decimal(WEEKS_PER_YEAR[1]), WEEKS_DECIMALS)
    if d == d.to_integral_value():
        return int(d)
    return d.normalize()


def json_depth_ok(text: str | bytes, max_depth: int = MAX_JSON_DEPTH) -> int:
    """The nesting depth of JSON text (brackets outside strings); DataError above ``max_depth``.
    Runs before ``json.loads`` so a deeply nested file never reaches the recursive parser.

    One linear pass, vectorised (numpy): a quote opens or closes a string unless an odd run of backslashes
    precedes it; brackets count where the number of such quotes before them is even. Time and memory are
    linear in the input (a few bytes per input byte), whatever the mix of quotes and escapes (issue 18 §1: the
    old regex was quadratic on ``{"`` + 60,000 ``\\"``). Up to the first character that makes the text invalid
    JSON this reads the structure as ``json.loads`` does, so the depth it reports bounds the parser's recursion."""
    import numpy as np

    data = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else bytes(text)
    b = np.frombuffer(data, dtype=np.uint8)
    if not len(b):
        return 0
    quote = b == ord('"')
    bs = b == ord("\\")
    if bs.any():  # a quote after an odd run of backslashes is escaped
        prev = np.concatenate(([False], bs[:-1]))
        nxt = np.concatenate((bs[1:], [False]))
        starts, ends = np.flatnonzero(bs & ~prev), np.flatnonzero(bs & ~nxt)
        odd_end = ends[(ends - starts) % 2 == 0]  # run length (ends - starts + 1) is odd
        escaped = odd_end[odd_end + 1 < len(b)] + 1
        quote[escaped] = False
    inside = np.bitwise_xor.accumulate(quote.view(np.uint8))  # 1 inside a string (and on its opening quote)
    opening = ((b == ord("[")) | (b == ord("{"))) & (inside == 0)
    closing = ((b == ord("]")) | (b == ord("}"))) & (inside == 0)
    idx = np.flatnonzero(opening | closing)
    if not len(idx):
        return 0
    steps = np.where(opening[idx], 1, -1).astype(np.int32)
    depth = int(np.cumsum(steps, dtype=np.int32).max())
    if depth > max_depth:
        raise DataError(f"JSON nested {depth:,} levels deep; the limit is {max_depth}")
    return max(depth, 0)


def obj_depth_ok(obj, max_depth: int = MAX_JSON_DEPTH) -> None:
    """Nesting depth of an already parsed JSON-like object (dicts/lists), checked without recursion."""
    stack = [(obj, 1)]
    while stack:
        o, d = stack.pop()
        if d > max_depth:
            raise DataError(f"JSON nested more than {max_depth} levels deep")
        if isinstance(o, dict):
            stack.extend((v, d + 1) for v in o.values())
        elif isinstance(o, (list, tuple)):
            stack.extend((v, d + 1) for v in o)


def decode_text(data: bytes, name: str) -> str:
    """UTF-8 text (with or without a byte-order mark); anything else is a DataError naming the file."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataError(
            f"{excerpt(name, 80)}: not UTF-8 text (byte {exc.start:,}); save the file as UTF-8 (CSV UTF-8 in Excel)"
        ) from None


def read_user_file(path: str | os.PathLike, max_bytes: int) -> bytes:
    """The bytes of a file named on the command line: a regular file (not a symlink, device or FIFO, not a
    GDAL ``/vsi…`` name), at most ``max_bytes``. Opened with O_NOFOLLOW so a symlink swapped in is refused."""
    raw = str(path)
    label = excerpt(raw, 80)
    if raw.startswith("/vsi") or "/vsi" in raw.replace("\\", "/") or raw.startswith(("GPKG:", "GDALG:", "VRT:")):
        raise DataError(f"{label}: GDAL virtual paths are not accepted; give a plain file")
    p = Path(raw)
    try:
        st0 = os.lstat(p)
    except OSError:
        raise DataError(f"file not found: {label}") from None
    if stat.S_ISLNK(st0.st_mode):
        raise DataError(f"{label}: is a symbolic link; give the file itself")
    if not stat.S_ISREG(st0.st_mode):
        raise DataError(f"{label}: not a regular file")
    if st0.st_size > max_bytes:
        raise DataError(f"{label}: {st0.st_size:,} bytes is over the {max_bytes:,}-byte import limit")
    try:
        fd = os.open(p, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        raise DataError(f"{label}: cannot be opened") from None
    with os.fdopen(fd, "rb") as f:
        data = f.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise DataError(f"{label}: over the {max_bytes:,}-byte import limit")
    return data
