"""Text helpers: diacritic folding for search, Roman numerals, ids read from a URL."""
import re
import unicodedata
from functools import lru_cache

_ROW_ID = re.compile(r"[1-9][0-9]{0,9}")
MAX_ROW_ID = 2**31 - 1  # the largest id an integer column holds on PostgreSQL

_ROMAN = (
    (1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
    (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"),
)


def fold(text):
    """Return text lower-cased without Vietnamese diacritics ("Dân vận" -> "dan van")."""
    if not text:
        return ""
    if len(text) <= FOLD_REMEMBERED:
        return _fold_remembered(text)
    return _fold(text)


# Short texts (names, titles, phrases) are folded once per process: a province's
# report folds each task's title and its units' names several times over, and
# folding them anew each time was a seventh of its time. Long ones (descriptions,
# notes) are folded as they come, so the memo stays within a few megabytes.
FOLD_REMEMBERED = 200


def _fold(text):
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.lower().split())


_fold_remembered = lru_cache(maxsize=4096)(_fold)


def to_roman(number):
    """Return the Roman numeral for a positive integer (12 -> "XII")."""
    if number is None or number <= 0:
        return ""
    parts = []
    for value, symbol in _ROMAN:
        count, number = divmod(number, value)
        parts.append(symbol * count)
    return "".join(parts)


def row_id(text):
    """Return the id a query-string value names, or None when it names none.

    Only ASCII digits count ("²" is a digit to str.isdigit() but not to int()), and
    only ids an integer column can hold: a larger one would fail in PostgreSQL.
    """
    if not text or not _ROW_ID.fullmatch(text):
        return None
    number = int(text)
    return number if number <= MAX_ROW_ID else None
