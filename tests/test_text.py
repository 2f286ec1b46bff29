"""Diacritic folding and Roman numerals."""
import pytest

from tracker.text import fold, to_roman


@pytest.mark.parametrize(
    "text, folded",
    [
        ("Dân vận khéo", "dan van kheo"),
        ("ĐẠI HỘI Đảng bộ", "dai hoi dang bo"),
        ("Tịnh   Trà\n", "tinh tra"),
        ("Người Việt Nam ưu tiên dùng hàng Việt Nam", "nguoi viet nam uu tien dung hang viet nam"),
        ("", ""),
        (None, ""),
    ],
)
def test_fold_removes_diacritics_and_case(text, folded):
    assert fold(text) == folded


@pytest.mark.parametrize(
    "number, roman",
    [(1, "I"), (4, "IV"), (9, "IX"), (12, "XII"), (19, "XIX"), (40, "XL"),
     (2023, "MMXXIII"), (0, ""), (None, "")],
)
def test_to_roman(number, roman):
    assert to_roman(number) == roman
