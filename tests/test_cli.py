"""The flask commands: demo data and user accounts."""
from tracker.boards import scope
from tracker.models import AuditEvent, Board, Quarter, Task, TaskUpdate, Unit, User


def _board(db, code):
    return db.session.scalar(db.select(Board).where(Board.code == code))


def test_demo_loads_the_son_tinh_quarters(runner, db):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert "Demo loaded" in result.output
    son_tinh = _board(db, "son-tinh")
    with scope.boards([son_tinh.id]):
        keys = sorted(q.key for q in db.session.scalars(db.select(Quarter)))
        assert keys == ["2023-Q1", "2023-Q2"]
        # 19 of its own system, 2 villages, 3 outside bodies and 2 groups
        assert db.session.scalar(db.select(db.func.count(Unit.id))) == 26
        q1 = db.session.scalar(db.select(Quarter).where(Quarter.number == 1))
        assert q1.state != "closed"
    homes = {u.username: u.board.code for u in db.session.scalars(db.select(User))}
    assert homes == {
        "quantri": "son-tinh", "lanhdao": "son-tinh", "canbo_bdv": "son-tinh",
        "canbo_hnd": "son-tinh", "canbo_xa": "son-tinh", "khach": "son-tinh",
        "lanhdao_binhson": "binh-son",
        "canbo_binhson": "binh-son", "lanhdao_tinh": "quang-ngai",
    }
    assert all(u.check_password("demo") for u in db.session.scalars(db.select(User)))


def test_demo_has_a_province_above_two_districts(runner, db):
    runner.invoke(args=["demo"])
    province = _board(db, "quang-ngai")
    assert province.parent is None and province.level == "province"
    assert sorted(b.code for b in province.children) == ["binh-son", "son-tinh"]
    for board in [province] + province.children:
        with scope.boards([board.id]):
            assert db.session.scalar(db.select(db.func.count(Quarter.id))) >= 1
            assert db.session.scalar(db.select(db.func.count(Task.id))) >= 3


def test_demo_does_not_touch_a_database_with_data(runner, db, make_unit):
    make_unit()
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0
    assert "already holds data" in result.output
    assert db.session.scalar(db.select(db.func.count(Unit.id))) == 1


def test_demo_reset_replaces_data(runner, db, make_unit):
    make_unit("Đơn vị cũ", "CU")
    result = runner.invoke(args=["demo", "--reset"], input="y\n")
    assert result.exit_code == 0, result.output
    assert db.session.scalar(db.select(Unit).where(Unit.short_name == "CU")) is None
    with scope.boards([_board(db, "son-tinh").id]):
        assert db.session.scalar(db.select(db.func.count(Task.id))) == 16


def test_demo_history_is_recorded_for_every_task(runner, db):
    runner.invoke(args=["demo"])
    tasks = db.session.scalars(db.select(Task)).all()
    assert all(any(u.action == "created" for u in t.updates) for t in tasks)
    assert db.session.scalar(db.select(db.func.count(TaskUpdate.id))) > len(tasks)


def test_create_user(runner, db, make_unit):
    make_unit("Hội Nông dân huyện", "HND")
    result = runner.invoke(
        args=["create-user", "nongdan", "--role", "staff", "--full-name", "Lê Văn A",
              "--unit", "HND", "--password", "mat-khau-dai"]
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(db.select(User).where(User.username == "nongdan"))
    assert user.role == "staff" and [u.short_name for u in user.units] == ["HND"]
    assert user.check_password("mat-khau-dai")
    event = db.session.scalar(db.select(AuditEvent))
    assert (event.entity_type, event.entity_id, event.action) == ("user", user.id,
                                                                  "created")
    assert event.user_id is None and event.changes["units"] == [[], ["HND"]]


def test_create_user_refuses_bad_input(runner, db, make_user, make_unit):
    make_user("taken")
    make_unit("Hội Nông dân huyện", "HND")
    cases = [
        (["create-user", "taken", "--password", "long-enough"], "already exists"),
        (["create-user", "new", "--password", "short"], "ít nhất 8 ký tự"),
        # The first administrator of a fresh install cannot start with a weak one.
        (["create-user", "quantri", "--role", "admin", "--password", "12345678"],
         "mật khẩu phổ biến nhất"),
        (["create-user", "quantri", "--role", "admin", "--password", "Quantri2024"],
         "tạo từ tên đăng nhập"),
        (["create-user", "nongdan", "--unit", "HND", "--password",
          "HoiNongDanHuyen1"], "tạo từ tên đơn vị “Hội Nông dân huyện”"),
        (["create-user", "new", "--unit", "NOPE", "--password", "long-enough"],
         "Unknown unit"),
        (["create-user", "new", "--role", "king", "--password", "long-enough"],
         "Invalid value"),
    ]
    for args, message in cases:
        result = runner.invoke(args=args)
        assert result.exit_code != 0
        assert message in result.output
    assert db.session.scalar(db.select(db.func.count(User.id))) == 1
    assert db.session.scalar(db.select(db.func.count(AuditEvent.id))) == 0
