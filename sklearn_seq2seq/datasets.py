"""Generators of sequence-to-sequence tasks, in scikit-learn's ``make_*`` style."""

from __future__ import annotations

import calendar
import re
from collections.abc import Sequence

import numpy as np
from sklearn.utils import check_random_state

from ._input.sequences import LISTS, format_sequences, position_mask


def make_reversal(
    n_samples: int = 100,
    n_in: int = 6,
    n_out: int = 3,
    n_tokens: int = 51,
    random_state: int | np.random.RandomState | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Generate the origin tutorial's task: reverse the first tokens.

    Each source is ``n_in`` random integers in ``1 .. n_tokens - 1`` (0 is
    kept free, as the tutorial reserves it); the target is the first
    ``n_out`` source integers in reverse order:
    ``[13, 28, 18, 7, 9, 5] -> [18, 28, 13]``.

    Parameters
    ----------
    n_samples : int, default=100
        Number of sequences.
    n_in : int, default=6
        Length of each source sequence.
    n_out : int, default=3
        Length of each target sequence, at most ``n_in``.
    n_tokens : int, default=51
        Cardinality including the reserved 0, so tokens are drawn from
        ``1 .. n_tokens - 1``.
    random_state : int, RandomState instance or None, default=None
        Seed or generator for reproducible output.

    Returns
    -------
    X : ndarray of shape (n_samples, n_in), dtype int64
        Source sequences.
    Y : ndarray of shape (n_samples, n_out), dtype int64
        Target sequences.

    Examples
    --------
    >>> from sklearn_seq2seq import make_reversal
    >>> X, Y = make_reversal(n_samples=2, random_state=0)
    >>> X.shape, Y.shape
    ((2, 6), (2, 3))
    >>> bool((Y == X[:, 2::-1]).all())
    True
    """
    if not 1 <= n_out <= n_in:
        raise ValueError(f"n_out must be in [1, n_in={n_in}]; got {n_out}.")
    if n_tokens < 2:
        raise ValueError(f"n_tokens must be at least 2; got {n_tokens}.")
    rng = check_random_state(random_state)
    X = rng.randint(1, n_tokens, size=(n_samples, n_in)).astype(np.int64)
    Y = X[:, n_out - 1 :: -1].copy()
    return X, Y


def _random_sequences(rng, n_samples, min_length, max_length, n_tokens):
    """Token grid of shape (n_samples, max_length) and a length per row."""
    if not 1 <= min_length <= max_length:
        raise ValueError(
            f"Lengths must satisfy 1 <= min_length <= max_length; got {min_length} and "
            f"{max_length}."
        )
    if n_tokens < 2:
        raise ValueError(f"n_tokens must be at least 2; got {n_tokens}.")
    lengths = rng.randint(min_length, max_length + 1, size=n_samples)
    grid = rng.randint(1, n_tokens, size=(n_samples, max_length))
    return grid, lengths


def _rows(grid, lengths):
    """The first ``lengths[i]`` tokens of each row, as lists."""
    return format_sequences(grid[position_mask(lengths, grid.shape[1])], lengths, LISTS)


def make_copy(
    n_samples: int = 100,
    min_length: int = 1,
    max_length: int = 10,
    n_tokens: int = 10,
    random_state: int | np.random.RandomState | None = None,
) -> tuple[list[list[int]], list[list[int]]]:
    """Generate the copy task: the target is the source, of varying length.

    Parameters
    ----------
    n_samples : int, default=100
        Number of sequences.
    min_length, max_length : int, default=1 and 10
        Lengths are drawn uniformly from ``min_length .. max_length``.
    n_tokens : int, default=10
        Tokens are drawn from ``1 .. n_tokens - 1``.
    random_state : int, RandomState instance or None, default=None
        Seed or generator for reproducible output.

    Returns
    -------
    X : list of list of int
        Source sequences.
    Y : list of list of int
        Target sequences, equal to the sources.

    Examples
    --------
    >>> from sklearn_seq2seq import make_copy
    >>> X, Y = make_copy(n_samples=2, max_length=4, random_state=0)
    >>> X == Y, [len(x) for x in X]
    (True, [1, 4])
    """
    rng = check_random_state(random_state)
    grid, lengths = _random_sequences(rng, n_samples, min_length, max_length, n_tokens)
    X = _rows(grid, lengths)
    return X, [list(x) for x in X]


def make_sort(
    n_samples: int = 100,
    min_length: int = 1,
    max_length: int = 10,
    n_tokens: int = 10,
    random_state: int | np.random.RandomState | None = None,
) -> tuple[list[list[int]], list[list[int]]]:
    """Generate the sorting task: the target is the source in ascending order.

    Parameters
    ----------
    n_samples : int, default=100
        Number of sequences.
    min_length, max_length : int, default=1 and 10
        Lengths are drawn uniformly from ``min_length .. max_length``.
    n_tokens : int, default=10
        Tokens are drawn from ``1 .. n_tokens - 1``.
    random_state : int, RandomState instance or None, default=None
        Seed or generator for reproducible output.

    Returns
    -------
    X : list of list of int
        Source sequences.
    Y : list of list of int
        The sources, sorted.

    Examples
    --------
    >>> from sklearn_seq2seq import make_sort
    >>> X, Y = make_sort(n_samples=1, min_length=5, max_length=5, random_state=0)
    >>> X, Y
    ([[6, 1, 4, 4, 8]], [[1, 4, 4, 6, 8]])
    """
    rng = check_random_state(random_state)
    grid, lengths = _random_sequences(rng, n_samples, min_length, max_length, n_tokens)
    # Padding sorts last when it is larger than every token.
    padded = np.where(position_mask(lengths, max_length), grid, n_tokens)
    return _rows(grid, lengths), _rows(np.sort(padded, axis=1), lengths)


def make_addition(
    n_samples: int = 100,
    max_digits: int = 3,
    random_state: int | np.random.RandomState | None = None,
) -> tuple[list[str], list[str]]:
    """Generate integer addition as character strings: ``"12+345" -> "357"``.

    Each operand first draws its number of digits uniformly from
    ``1 .. max_digits``, then a value with that many digits, so short and
    long numbers are equally common.

    Parameters
    ----------
    n_samples : int, default=100
        Number of sums.
    max_digits : int, default=3
        Most digits of an operand.
    random_state : int, RandomState instance or None, default=None
        Seed or generator for reproducible output.

    Returns
    -------
    X : list of str
        Sums to compute, like ``"12+345"``.
    Y : list of str
        Their results, like ``"357"``.

    Examples
    --------
    >>> from sklearn_seq2seq import make_addition
    >>> X, Y = make_addition(n_samples=3, random_state=0)
    >>> all(eval(x) == int(y) for x, y in zip(X, Y))
    True
    """
    if max_digits < 1:
        raise ValueError(f"max_digits must be at least 1; got {max_digits}.")
    rng = check_random_state(random_state)
    digits = rng.randint(1, max_digits + 1, size=(2, n_samples))
    low = np.where(digits == 1, 0, 10 ** (digits - 1))
    operands = low + (rng.random_sample((2, n_samples)) * (10**digits - low)).astype(np.int64)
    sums = np.char.add(np.char.add(operands[0].astype(str), "+"), operands[1].astype(str))
    return sums.tolist(), operands.sum(axis=0).astype(str).tolist()


# Unambiguous human date formats, in strftime's notation.
DATE_FORMATS = (
    "%d %B %Y",
    "%B %d, %Y",
    "%A, %B %d, %Y",
    "%a %d %b %Y",
    "%d %b %Y",
    "%b %d %Y",
    "%d-%b-%Y",
    "%d.%m.%Y",
    "%Y%m%d",
    "%A %d %B %Y",
)


def make_dates(
    n_samples: int = 100,
    start: str = "1950-01-01",
    end: str = "2049-12-31",
    formats: Sequence[str] = DATE_FORMATS,
    random_state: int | np.random.RandomState | None = None,
) -> tuple[list[str], list[str]]:
    """Generate date normalisation: human date formats to ISO ``YYYY-MM-DD``.

    Dates are drawn uniformly between ``start`` and ``end``, each written
    in a format drawn uniformly from ``formats``, with English month and
    day names as :mod:`calendar` gives them.  Formatting is vectorised:
    each strftime field is built once for all dates with numpy.

    Parameters
    ----------
    n_samples : int, default=100
        Number of dates.
    start, end : str, default="1950-01-01" and "2049-12-31"
        First and last possible date, ISO format.
    formats : sequence of str, default=DATE_FORMATS
        strftime formats using ``%d %m %Y %y %B %b %A %a`` and literal text.
    random_state : int, RandomState instance or None, default=None
        Seed or generator for reproducible output.

    Returns
    -------
    X : list of str
        Dates in human formats, like ``"Tuesday, March 07, 1995"``.
    Y : list of str
        The same dates as ``"1995-03-07"``.

    Examples
    --------
    >>> from sklearn_seq2seq import make_dates
    >>> X, Y = make_dates(n_samples=2, formats=["%d %B %Y"], random_state=0)
    >>> X, Y
    (['25 June 1957', '29 February 2008'], ['1957-06-25', '2008-02-29'])
    """
    rng = check_random_state(random_state)
    first, last = np.datetime64(start, "D"), np.datetime64(end, "D")
    if last < first:
        raise ValueError(f"end ({end}) is before start ({start}).")
    days = first + rng.randint(0, int((last - first).astype(int)) + 1, size=n_samples)
    fields = _date_fields(days)
    choice = rng.randint(0, len(formats), size=n_samples)
    X = np.empty(n_samples, dtype=object)
    for k, date_format in enumerate(formats):
        rows = choice == k
        X[rows] = _strftime(date_format, {key: value[rows] for key, value in fields.items()})
    return X.tolist(), np.datetime_as_string(days, unit="D").tolist()


def _date_fields(days):
    """Every supported strftime field, as a string array per field."""
    years = days.astype("datetime64[Y]")
    months = days.astype("datetime64[M]")
    year = years.astype(int) + 1970
    month = (months - years).astype(int) + 1
    day = (days - months).astype(int) + 1
    weekday = (days.astype(int) + 3) % 7  # 1970-01-01 was a Thursday (Monday = 0)
    return {
        "d": np.char.zfill(day.astype(str), 2),
        "m": np.char.zfill(month.astype(str), 2),
        "Y": year.astype(str),
        "y": np.char.zfill((year % 100).astype(str), 2),
        "B": np.array(calendar.month_name)[month],
        "b": np.array(calendar.month_abbr)[month],
        "A": np.array(calendar.day_name)[weekday],
        "a": np.array(calendar.day_abbr)[weekday],
    }


def _strftime(date_format, fields):
    """Vectorised strftime for the fields of :func:`_date_fields`."""
    pieces = re.split(r"%(.)", date_format)  # literal, field, literal, field, ...
    text = np.full(len(fields["d"]), "", dtype=object)
    for i, piece in enumerate(pieces):
        if i % 2 == 0:
            text = text + piece
        elif piece in fields:
            text = text + fields[piece].astype(object)
        else:
            raise ValueError(f"Unsupported date field %{piece} in format {date_format!r}.")
    return text
