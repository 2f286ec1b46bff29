"""The units page and a unit's tasks."""
from tests.helpers import page_text


def test_units_show_hierarchy_and_counts(client, login_as, make_unit, make_task):
    login_as("viewer")
    party = make_unit("Ban Thường vụ Huyện ủy", "BTVHU", kind="party_committee")
    board = make_unit("Ban Dân vận Huyện ủy", "BDV", kind="party_board", parent=party)
    other = make_unit("Hội Nông dân huyện", "HND")
    make_task(lead=board, coordinating=[other])
    make_task(lead=board)
    text = page_text(client.get("/units/"))
    text = text[text.index("<main"):]  # the menu names the board
    assert text.index("Ban Thường vụ Huyện ủy") < text.index("Ban Dân vận Huyện ủy")
    assert 'class="unit-depth-1"' in text
    assert "Ban Đảng" in text


def test_unit_page_lists_led_and_coordinated_tasks(client, login_as, make_unit, make_task):
    login_as("viewer")
    board = make_unit("Ban Dân vận Huyện ủy", "BDV")
    hnd = make_unit("Hội Nông dân huyện", "HND")
    make_task(lead=board, title="Việc BDV chủ trì")
    make_task(lead=hnd, coordinating=[board], title="Việc HND chủ trì")
    text = page_text(client.get(f"/units/{board.id}"))
    assert "Việc BDV chủ trì" in text and "Việc HND chủ trì" in text
    assert "Nhiệm vụ chủ trì (1)" in text
    assert "Nhiệm vụ phối hợp hoặc cùng thực hiện (1)" in text


def test_unknown_unit_is_404(client, login_as):
    login_as("viewer")
    assert client.get("/units/9999").status_code == 404
