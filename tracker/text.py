"""Text helpers: diacritic folding for search, Roman numerals for ordinals."""
import unicodedata

_ROMAN = (
    (1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
    (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"),
)


def fold(text):
    """Return text lower-cased without Vietnamese diacritics ("Dân vận" -> "dan van")."""
    if not text:
        return ""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.lower().split())


def to_roman(number):
    """Return the Roman numeral for a positive integer (12 -> "XII")."""
    if number is None or number <= 0:
        return ""
    parts = []
    for value, symbol in _ROMAN:
        count, number = divmod(number, value)
        parts.append(symbol * count)
    return "".join(parts)
