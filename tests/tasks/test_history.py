"""History rows keep codes; people read labels and names."""
import pytest

from tests.helpers import visible_text
from tracker.models import TaskUpdate
from tracker.tasks.history import TASK_CODES, describe_changes, task_labels, value_text


@pytest.fixture
def named(make_unit, make_user):
    """Units and a person the rows below name by short name and username."""
    make_unit("Ban Dân vận Huyện ủy", "BDV")
    make_unit("Hội Nông dân huyện", "HND")
    user = make_user("lanhdao", role="leader")
    user.full_name = "Nguyễn Văn Lãnh"
    return user


@pytest.mark.parametrize("name, value, expected", [
    ("status", "in_progress", "Đang thực hiện"),
    ("kind", "congress", "Đại hội"),
    ("closing_reason", "not_needed", "Không còn cần thiết"),
    ("lead_unit_id", "HND", "Hội Nông dân huyện"),
    ("coordinating", ["BDV", "HND"], "Ban Dân vận Huyện ủy, Hội Nông dân huyện"),
    # Rows written before units were kept by role.
    ("units", ["BDV (coordinating)", "HND (participating)"],
     "Ban Dân vận Huyện ủy (phối hợp), Hội Nông dân huyện (cùng thực hiện)"),
    ("lead_unit_id", "GONE", "GONE"),  # a unit since renamed keeps what was stored
    ("approved_by", "lanhdao", "Nguyễn Văn Lãnh (lanhdao)"),
    ("from", "2023-Q1", "Quý I/2023"),
    ("from_task", 17, "#17"),
    ("completed_on", "2023-05-10", "10/05/2023"),
    ("is_recurring", True, "có"),
    ("term_start", 2023, "2023"),  # a year, not 2.023
    ("trainees_planned", 1500, "1.500"),
    ("title", None, ""),
])
def test_values_read_as_labels(app, named, name, value, expected):
    assert value_text(name, value, TASK_CODES) == expected


def test_pairs_that_read_the_same_show_once_and_empty_ones_not_at_all(app):
    changes = describe_changes(
        {"due_on": ["2023-12-31", "2023-12-31"], "held_on": [None, None],
         "progress": [40, 60]}, task_labels(), TASK_CODES)
    assert [(c.label, c.old, c.new, c.is_pair) for c in changes] == [
        ("Hạn hoàn thành", "", "31/12/2023", False),
        ("Tiến độ (%)", "40", "60", True),
    ]


def test_an_old_row_reads_in_words_on_the_task_page(client, login_as, make_task, named,
                                                    db):
    task = make_task(title="Việc cũ")
    db.session.add(TaskUpdate(task=task, action="edited", changes={
        "units": [["BDV (coordinating)"], []], "kind": ["other", "training"]}))
    db.session.commit()
    login_as("viewer")
    text = visible_text(client.get(f"/tasks/{task.id}"))
    assert "Đơn vị: Ban Dân vận Huyện ủy (phối hợp) → ∅" in text
    assert "Loại công việc: Khác → Lớp tập huấn" in text
