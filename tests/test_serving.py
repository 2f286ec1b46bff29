"""The settings `make serve` runs gunicorn with (gunicorn.conf.py)."""
import gc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_each_worker_freezes_what_it_has_loaded_and_collects_less_often():
    settings = {}
    exec((ROOT / "gunicorn.conf.py").read_text(), settings)
    assert settings["worker_class"] == "sync"
    before, thresholds = gc.get_freeze_count(), gc.get_threshold()
    try:
        settings["post_worker_init"](None)
        assert gc.get_freeze_count() > before
        assert gc.get_threshold() == settings["GC_THRESHOLDS"]
        assert gc.get_threshold()[0] > thresholds[0]
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)
