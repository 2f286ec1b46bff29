"""`flask --app tracker import KEY FILE [--dry-run]`: the import from the shell."""
from tracker.models import AuditEvent, Task, TaskUpdate

HEADER = ["Loại công việc", "Tên nhiệm vụ", "Đơn vị chủ trì", "Đơn vị phối hợp"]
ROWS = [["Đại hội", "Đại hội Công đoàn huyện lần thứ XIX", "BDV", "HND"],
        ["training", "Lớp tập huấn nghiệp vụ", "Ban Dan Van Huyen Uy Son Tinh", ""]]


def _count(db, model):
    return db.session.scalar(db.select(db.func.count()).select_from(model))


def test_dry_run_shows_the_rows_and_changes_nothing(runner, db, make_quarter, units,
                                                    xlsx_file, tmp_path):
    make_quarter(2023, 3)
    path = tmp_path / "plan.xlsx"
    path.write_bytes(xlsx_file([HEADER] + ROWS))
    result = runner.invoke(args=["import", "2023-Q3", str(path), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "row 2: [congress] Đại hội Công đoàn huyện lần thứ XIX — BDV (+ HND)" \
        in result.output
    assert "Dry run: 2 tasks would be imported into 2023-Q3" in result.output
    assert _count(db, Task) == 0 and _count(db, AuditEvent) == 0


def test_import_creates_the_tasks_with_history(runner, db, make_quarter, make_user,
                                               units, xlsx_file, tmp_path):
    make_quarter(2023, 3)
    make_user("canbo")
    path = tmp_path / "plan.xlsx"
    path.write_bytes(xlsx_file([HEADER] + ROWS))
    result = runner.invoke(args=["import", "2023-Q3", str(path), "--user", "canbo"])
    assert result.exit_code == 0, result.output
    assert "Imported 2 tasks into 2023-Q3." in result.output
    tasks = db.session.scalars(db.select(Task).order_by(Task.id)).all()
    assert [t.kind for t in tasks] == ["congress", "training"]
    assert all(t.created_by.username == "canbo" for t in tasks)
    assert _count(db, TaskUpdate) == 2


def test_a_bad_file_fails_and_imports_nothing(runner, db, make_quarter, units, csv_file,
                                              tmp_path):
    make_quarter(2023, 3)
    path = tmp_path / "plan.csv"
    path.write_bytes(csv_file([HEADER, ROWS[0], ["Khác", "Việc khác", "Hội Phụ nữ", ""]]))
    result = runner.invoke(args=["import", "2023-Q3", str(path)])
    assert result.exit_code != 0
    assert "Dòng 3, cột “Đơn vị chủ trì”: Không có đơn vị “Hội Phụ nữ”" in result.output
    assert "1 problem(s)" in result.output and "nothing was imported" in result.output
    assert _count(db, Task) == 0


def test_unknown_quarter_user_or_a_closed_quarter(runner, db, make_quarter, units,
                                                  xlsx_file, tmp_path):
    make_quarter(2023, 1, state="closed")
    path = tmp_path / "plan.xlsx"
    path.write_bytes(xlsx_file([HEADER] + ROWS))
    cases = [
        (["import", "2023-Q9", str(path)], "No quarter '2023-Q9'"),
        (["import", "2024-Q1", str(path)], "No quarter '2024-Q1'"),
        (["import", "2023-Q1", str(path), "--user", "nobody"], "Unknown user 'nobody'"),
        (["import", "2023-Q1", str(path)], "Quý I/2023 đã khóa sổ"),
    ]
    for args, message in cases:
        result = runner.invoke(args=args)
        assert result.exit_code != 0 and message in result.output, result.output
    assert _count(db, Task) == 0
