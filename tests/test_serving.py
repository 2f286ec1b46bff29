"""The settings `make serve` runs gunicorn with (gunicorn.conf.py)."""
import gc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_each_worker_freezes_what_it_has_loaded():
    settings = {}
    exec((ROOT / "gunicorn.conf.py").read_text(), settings)
    assert settings["worker_class"] == "sync"
    before = gc.get_freeze_count()
    try:
        settings["post_worker_init"](None)
        assert gc.get_freeze_count() > before
    finally:
        gc.unfreeze()
