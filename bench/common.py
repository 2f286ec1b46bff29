"""What the bench's modules share: paths, the pinned day, sizes, page names, goals."""
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
RUN = ROOT / "bench" / "run.py"  # what the bench runs again in a subprocess
sys.path.insert(0, str(ROOT))

TODAY = "2025-05-15"  # pinned: the newest quarter is 2025-Q2, half way through
HISTORIES = (1, 40)
REPEATS = {"district": 60, "province": 25, "national": 5}
QUICK_REPEATS = {"district": 8, "province": 4, "national": 2}
SAMPLE_SECONDS = 1.5  # a quick page is requested until about this long, per database
MAX_REPEATS = 300
FLOOR_SAMPLES = 15  # floors measured beside each page, for its "× floor"
# Requests before a page is measured: they fill the template and statement caches,
# and on PostgreSQL the driver prepares a statement once it has run this many times
# on a connection (psycopg's prepare_threshold), as a worker's would have long since.
WARM_UP = 5
PRESET_ORDER = ("district", "province", "national")
PORT = int(os.environ.get("BENCH_PORT", "5141"))
SECRET = "bench-only-secret"
# Measured with the page cache on (repeated requests are served from it); every
# other page is measured with it off, as built from the database.
CACHED_PAGES = ("Board (page cache)",)
OFF = "Board (page cache off, 2 workers)"
# Pages whose 40-quarter database shows one more statement for a reason that is not
# growth: the 1-quarter database's task was never carried (its earlier quarters were
# trimmed), the 40-quarter one's was, and its page reads the whole chain it was
# carried along in one statement, whatever its length
# (tests/quarters/test_rollover.py holds a task carried once and one carried twice
# to the same count).
CHAINED = {"Task page": "+1: the chain the task was carried along, one statement"}
THROUGHPUT_ROUTES = ("/healthz", "Board", OFF, "Summary")
UNCACHED_GOAL = 100  # requests/s of the uncached province board on 2 workers
EXPORTS = (
    ("Report .docx", "/quarters/<key>/report.docx"),
    ("Workbook .xlsx", "/quarters/<key>/report.xlsx"),
    ("Tasks .csv", "/quarters/<key>/tasks.csv"),
)
