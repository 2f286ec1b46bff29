"""Every page of the demo renders for a signed-in user, and errors are translated."""
import pytest

from tests.helpers import get_task, page_text
from tracker.models import Unit


@pytest.mark.parametrize(
    "path",
    ["/", "/quarters/", "/quarters/2023-Q1/", "/quarters/2023-Q2/", "/units/",
     "/tasks/new?quarter=2023-Q2"],
)
def test_demo_pages_render(client, login_as, demo, path):
    login_as("staff")
    response = client.get(path, follow_redirects=True)
    assert response.status_code == 200
    assert "<main" in page_text(response)


def test_demo_task_pages_render(client, login_as, demo):
    bdv = demo.session.scalar(demo.select(Unit).where(Unit.short_name == "BDV"))
    login_as("staff", units=[bdv])  # the board leads or coordinates these three
    for title in ("Hội Nông dân huyện lần thứ XII", "Bí thư Đảng ủy 11 xã",
                  "nghiêm túc Quy chế dân chủ"):
        task = get_task(title)
        assert client.get(f"/tasks/{task.id}").status_code == 200
        assert client.get(f"/tasks/{task.id}/edit").status_code == 200


def test_demo_shared_task_shows_8_of_11(client, login_as, demo):
    login_as("leader")
    task = get_task("nghiêm túc Quy chế dân chủ")
    assert "8/11 đơn vị hoàn thành" in page_text(client.get(f"/tasks/{task.id}"))
    assert "8/11 đơn vị hoàn thành" in page_text(client.get("/quarters/2023-Q2/"))


def test_demo_search_without_diacritics(client, login_as, demo):
    login_as("staff")
    text = page_text(client.get("/quarters/2023-Q2/?q=dai+hoi+nong+dan"))
    assert "Đại hội đại biểu Hội Nông dân huyện lần thứ XII" in text
    assert "1 nhiệm vụ" in text
    text = page_text(client.get("/quarters/2023-Q1/?q=dan+van+kheo"))
    assert "“Dân vận khéo” năm 2023" in text


def test_user_text_is_escaped(client, login_as, make_task):
    login_as("staff")
    task = make_task(title="<script>alert(1)</script>", description="<b>x</b>")
    text = page_text(client.get(f"/tasks/{task.id}"))
    assert "<script>alert(1)</script>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text


def test_unknown_page_is_translated_404(client, login_as):
    login_as("viewer")
    response = client.get("/nowhere")
    assert response.status_code == 404
    assert "Trang bạn yêu cầu không tồn tại" in page_text(response)


def test_pages_link_an_icon_that_is_served(client):
    """Browsers ask for an icon on every page; without one they log a 404 each time."""
    text = page_text(client.get("/login"))
    assert '<link rel="icon" type="image/svg+xml" href="/static/favicon.svg">' in text
    icon = client.get("/static/favicon.svg")
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
    assert icon.get_data(as_text=True).startswith("<svg")
