"""Issue 11: the window never runs SQL or file I/O of more than one row on its own thread.

Each test drives the window as a user would, with a real library in tmp_path, while
:func:`gui_trace.gui_thread_io` records what the window's thread reads and writes (statements on its
connection, connections it opens, image files it opens). The work must happen all the same — the
library file is read back through a second connection — and the trace must stay empty: when the
work moves back to the window's thread, the trace names the statements or files.
"""
from __future__ import annotations

import sqlite3

import pytest
from PIL import ExifTags, Image
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QMessageBox

from desktop import timing
from desktop.demo import load_demo
from desktop.model import Case, LabResult, When
from desktop.store.library import create_library, open_library

from gui_trace import gui_thread_io
from window_fixtures import isolated_settings, no_unanswered_dialog, window  # noqa: F401  (fixtures)

DEMO_ID = load_demo().id
MANY_LABS = 300  # each measured "N days before day 0": set day 0 re-anchors every one


@pytest.fixture
def lib_path(tmp_path):
    path = tmp_path / "lib.casebook"
    case = load_demo()
    case.labs += [LabResult(analyte="calcium", value=9.0 + (n % 7) / 10, unit="mg/dL", when=When(offset=float(-n)))
                  for n in range(MANY_LABS)]
    with create_library(path) as lib:
        lib.add_case(case)
        for n in range(40):
            lib.add_case(Case(title=f"Synthetic case {n:02d}", keywords=["even" if n % 2 == 0 else "odd"]))
    return path


@pytest.fixture
def demo(window):
    """The window, showing the demo case (the one with the many labs)."""
    window.case_list.select(DEMO_ID)
    assert window.session.case_id == DEMO_ID
    return window


def stored(path, case_id):
    with open_library(path, read_only=True) as lib:
        return lib.load_case(case_id, figures=False)


def test_the_case_list_is_read_on_a_worker(qtbot, window):
    assert len(window.case_list.ids()) == 41
    window.library.add_case(Case(title="Added behind the list's back"))  # the list must read it again
    with gui_thread_io(window.library.conn) as seen:
        window.refresh_case_list()
    assert seen == []
    assert len(window.case_list.ids()) == 42 and "Added behind the list's back" in window.case_list.titles()
    # the search box's queries too
    with gui_thread_io(window.library.conn) as seen:
        qtbot.keyClicks(window.case_list.search, "odd")
        qtbot.waitUntil(lambda: len(window.case_list.ids()) == 20, timeout=5000)
    assert seen == []
    assert all(int(t[-2:]) % 2 == 1 for t in window.case_list.titles())


def test_a_late_list_never_replaces_a_newer_one_and_the_selection_stays(qtbot, demo):
    window = demo
    demo_id = window.session.case_id
    titles = {r.id: r.title for r in window.case_list.model.rows}
    window.case_list.search.blockSignals(True)  # the test asks for the lists itself, quickly
    resets = []
    window.case_list.model.modelReset.connect(lambda: resets.append(list(window.case_list.titles())))
    for query in ("Synthetic", "even", "odd", "calciphylaxis"):
        window.case_list.search.setText(query)
        window.refresh_case_list(wait=False)  # as the search box and the timer after an edit ask
    window.refresh_case_list()  # the newest request: "calciphylaxis"
    qtbot.wait(300)  # the older lists have all come back by now; each was dropped
    window.case_list.search.blockSignals(False)
    assert window.case_list.ids() == [demo_id]
    assert window.case_list.current_id() == demo_id and window.session.case_id == demo_id
    assert resets and resets[-1] == [titles[demo_id]]
    # only lists asked for last are shown: never an older one after it
    assert all(r == [titles[demo_id]] for r in resets)


def test_set_day_0_on_a_large_case_is_written_on_a_worker_and_undone_in_one_step(qtbot, demo):
    window = demo
    session = window.session
    cid = session.case_id
    before = stored(window.library.path, cid)
    timeline = window.show_section("timeline")
    seen_changes = []
    session.changes.connect(lambda ch: seen_changes.append((ch, session.case.index_event_id)))
    parts_told = []
    session.changed.connect(parts_told.append)
    assert timeline.table.select("ev-lesion-onset")
    with gui_thread_io(window.library.conn) as seen:
        qtbot.mouseClick(timeline.day0_button, Qt.MouseButton.LeftButton)
    assert seen == []
    after = stored(window.library.path, cid)
    assert after.index_event_id == "ev-lesion-onset" == session.case.index_event_id
    shift = timing.DAYS_PER["month"] * 2  # the old day 0 was about 2 months after the lesion onset
    assert timing.Timeline(after).event_day("ev-admission").day == pytest.approx(shift)
    assert all(lab.when.event_id == "ev-admission" for lab in after.labs[-MANY_LABS:])
    # one notification, given once the case in hand is the new one, then each part in turn
    [(changes, index_then)] = seen_changes
    assert index_then == "ev-lesion-onset" and {"labs", "events", "case"} <= set(changes.parts)
    assert parts_told == sorted(changes.parts)
    assert window.act_undo.isEnabled() and "Set day 0" in window.act_undo.text()
    with gui_thread_io(window.library.conn) as seen:
        window.act_undo.trigger()
    assert seen == []
    again = stored(window.library.path, cid)
    assert again.index_event_id == before.index_event_id == session.case.index_event_id
    assert again.labs == before.labs and again.events == before.events
    assert window.act_redo.isEnabled()
    with gui_thread_io(window.library.conn) as seen:
        window.act_redo.trigger()
    assert seen == []
    assert stored(window.library.path, cid).index_event_id == "ev-lesion-onset"


def phone_photo(path, colour):
    im = Image.new("RGB", (80, 60), colour)
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneCo"
    exif[ExifTags.IFD.GPSInfo] = {1: "N", 2: (52.0, 13.0, 0.0)}
    im.save(path, "JPEG", exif=exif.tobytes())
    return path


def test_attaching_photos_reads_and_writes_them_on_a_worker(qtbot, demo, tmp_path):
    window = demo
    folder = tmp_path / "camera"
    folder.mkdir()
    paths = [phone_photo(folder / f"{n}.jpg", c) for n, c in enumerate(("red", "green", "blue"))]
    figures = window.show_section("figures")
    with gui_thread_io(window.library.conn, [folder]) as seen:
        added = figures.add_images(paths)
        qtbot.wait(50)  # the list and the preview of the new images are painted
    assert seen == []
    assert len(added) == 3 and figures.list.count() == 3
    case = stored(window.library.path, window.session.case_id)
    assert [m.id for m in case.figures] == added
    with open_library(window.library.path, read_only=True) as lib:
        data = lib.figure_bytes(window.session.case_id, added[0])
    assert data[:2] == b"\xff\xd8" and b"PhoneCo" not in data  # a JPEG, its metadata stripped
    window.act_undo.trigger()  # one step takes the three away
    assert stored(window.library.path, window.session.case_id).figures == []


def test_deleting_a_lesion_with_its_photos_runs_on_a_worker(qtbot, demo, tmp_path, monkeypatch):
    window = demo
    lesions = window.show_section("lesions")
    lesions.select_lesion("lesion-left-third-toe")
    photos = [phone_photo(tmp_path / f"toe{n}.jpg", "white") for n in range(2)]
    ids = lesions.attach_photos(photos)
    assert len(ids) == 2
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    with gui_thread_io(window.library.conn) as seen:
        qtbot.mouseClick(lesions.delete_button, Qt.MouseButton.LeftButton)
    assert seen == []
    case = stored(window.library.path, window.session.case_id)
    assert case.lesion("lesion-left-third-toe") is None
    assert all(m.lesion_id is None for m in case.figures if m.id in ids)
    with gui_thread_io(window.library.conn) as seen:
        window.act_undo.trigger()
    assert seen == []
    case = stored(window.library.path, window.session.case_id)
    assert case.lesion("lesion-left-third-toe") is not None
    assert all(m.lesion_id == "lesion-left-third-toe" for m in case.figures if m.id in ids)


def test_a_step_that_fails_on_the_worker_changes_nothing_and_says_so(qtbot, demo):
    window = demo
    session = window.session
    before = stored(window.library.path, session.case_id)
    in_hand = session.case
    conn = sqlite3.connect(window.library.path)
    conn.execute("CREATE TRIGGER boom BEFORE UPDATE ON cases WHEN NEW.data LIKE '%\"index_event_id\":\"ev-lesion-onset\"%' "
                 "BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END")
    conn.commit()
    conn.close()
    with qtbot.waitSignal(session.failed, timeout=10000) as said:
        assert session.set_day0("ev-lesion-onset") is False
    assert "disk" in said.args[0]
    assert session.case is in_hand and not session.busy
    assert stored(window.library.path, session.case_id) == before
    assert window.error_banner.isVisible() and "disk" in window.error_banner.text()
    assert session.set_case_fields(title="Still editable after the failure")  # the session is free again


def test_an_edit_a_timer_makes_while_a_step_is_written_waits_for_it(qtbot, demo):
    """A text field's idle timer may fire while a step of many rows is written on the worker: its
    edit is made after the step, in order, so the case in hand and the file stay the same."""
    window = demo
    session = window.session
    told = []
    session.changes.connect(lambda ch: told.append(sorted(ch.parts)))
    QTimer.singleShot(0, lambda: told.append(["timer fired", session.busy])
                      or session.set_case_fields(title="Retitled while day 0 was being set"))
    assert session.set_day0("ev-lesion-onset")
    assert told[0] == ["timer fired", True]  # it fired during the step
    assert "events" in told[1] and told[2] == ["case"]  # the step, then the edit that waited
    after = stored(window.library.path, session.case_id)
    assert after.index_event_id == "ev-lesion-onset" == session.case.index_event_id
    assert after.title == "Retitled while day 0 was being set" == session.case.title
    window.act_undo.trigger()  # the title, then day 0: two steps, newest first
    assert stored(window.library.path, session.case_id).title != "Retitled while day 0 was being set"
    assert session.case.index_event_id == "ev-lesion-onset"


# --- whole cases: new, duplicate, import, trash, restore, empty the trash, and their undo ------------------

def library_told(window):
    """What the operations layer announces, with whether it was said on the window's thread."""
    import threading
    told = []
    window.book.notifier.subscribe(
        lambda ch: told.append((ch.case_id, ch.cases, ch.undo, threading.current_thread() is threading.main_thread())))
    return told


def live_ids(path):
    with open_library(path, read_only=True) as lib:
        return set(lib.case_ids()), set(lib.case_ids(trashed=True))


def test_a_new_case_and_its_undo_and_redo_are_written_on_a_worker(qtbot, demo):
    window = demo
    told = library_told(window)
    with gui_thread_io(window.library.conn) as seen:
        cid = window.new_case("Calciphylaxis of the abdomen: a synthetic case")
    assert seen == []
    assert stored(window.library.path, cid).title == "Calciphylaxis of the abdomen: a synthetic case"
    assert window.session.case_id == cid and cid in window.case_list.ids()
    assert told == [(None, True, False, True)]  # once, on the window's thread, after the write
    assert "New case" in window.act_undo.text()
    with gui_thread_io(window.library.conn) as seen:
        window.act_undo.trigger()
    assert seen == []
    live, trashed = live_ids(window.library.path)
    assert cid not in live and cid in trashed and cid not in window.case_list.ids()
    window.open_case(None)  # the making of a case is redone with no other case in hand
    with gui_thread_io(window.library.conn) as seen:
        window.act_redo.trigger()
    assert seen == []
    assert cid in live_ids(window.library.path)[0] and cid in window.case_list.ids()
    assert told[1:] == [(cid, True, True, True), (cid, True, True, True)]


def test_duplicate_writes_on_a_worker_and_its_step_is_recorded_here(qtbot, demo):
    window = demo
    told = library_told(window)
    with gui_thread_io(window.library.conn) as seen:
        op = window.duplicate_case(DEMO_ID)
        qtbot.waitUntil(lambda: window.session is not None and window.session.case_id != DEMO_ID, timeout=20000)
    assert seen == [] and op.done
    copy_id = window.session.case_id
    original, copy = stored(window.library.path, DEMO_ID), stored(window.library.path, copy_id)
    assert copy.title == f"{original.title} (copy)" and copy.labs == original.labs
    assert told == [(None, True, False, True)]
    assert "Duplicate case" in window.act_undo.text()
    with gui_thread_io(window.library.conn) as seen:
        window.act_undo.trigger()
    assert seen == []
    assert copy_id in live_ids(window.library.path)[1]
    window.open_case(None)
    with gui_thread_io(window.library.conn) as seen:
        window.act_redo.trigger()
    assert seen == []
    assert copy_id in live_ids(window.library.path)[0]


def test_moving_to_the_trash_restoring_and_emptying_run_on_a_worker(qtbot, demo):
    from gui_helpers import answer_modal
    window = demo
    victim = next(r.id for r in window.case_list.model.rows if r.title == "Synthetic case 07")
    told = library_told(window)
    answer_modal("Delete")
    with gui_thread_io(window.library.conn) as seen:
        assert window.delete_case(victim)
    assert seen == []
    assert victim in live_ids(window.library.path)[1] and victim not in window.case_list.ids()
    assert "Delete case: Synthetic case 07" in window.act_undo.text()
    with gui_thread_io(window.library.conn) as seen:
        window.act_undo.trigger()
    assert seen == []
    assert victim in live_ids(window.library.path)[0] and window.session.case_id == victim
    with gui_thread_io(window.library.conn) as seen:
        window.act_redo.trigger()
    assert seen == []
    assert victim in live_ids(window.library.path)[1]
    # the trash: read, restored from, emptied
    with gui_thread_io(window.library.conn) as seen:
        dlg = window.show_trash()
        assert [dlg.table.item(n, 0).text() for n in range(dlg.table.rowCount())] == ["Synthetic case 07"]
        assert dlg.restore_selected() == victim
    assert seen == []
    assert victim in live_ids(window.library.path)[0] and window.session.case_id == victim
    answer_modal("Delete")
    window.delete_case(victim)
    with gui_thread_io(window.library.conn) as seen:
        dlg.refresh()
        answer_modal("Yes")
        assert dlg.empty() == 1
    assert seen == []
    live, trashed = live_ids(window.library.path)
    assert victim not in live and trashed == set()
    assert not window.act_undo.isEnabled() or "case" not in window.act_undo.text().lower()
    assert all(on_gui for *_x, on_gui in told) and len(told) == 6
    dlg.close()


def test_importing_case_files_reads_and_writes_them_on_a_worker(qtbot, demo, tmp_path):
    from desktop import jsonio
    from desktop.interop.fhir import write_bundle
    window = demo
    incoming = tmp_path / "incoming"
    incoming.mkdir()
    case = Case(title="Calciphylaxis of both calves: a synthetic case file")
    (incoming / "case.json").write_text(jsonio.dumps(case), encoding="utf-8")
    (incoming / "bundle.json").write_text(write_bundle(stored(window.library.path, DEMO_ID)), encoding="utf-8")
    told = library_told(window)
    imported = []
    for name in ("case.json", "bundle.json"):
        with gui_thread_io(window.library.conn, [incoming]) as seen:
            op = window.import_case_file(incoming / name)
            qtbot.waitUntil(lambda: op.done, timeout=20000)
            qtbot.wait(20)  # the copy opened, the list shown
        assert seen == [], name
        imported.append(window.session.case_id)
        assert f"Import {name}" in window.act_undo.text()
    assert stored(window.library.path, imported[0]).title == case.title
    assert stored(window.library.path, imported[1]).title == stored(window.library.path, DEMO_ID).title
    assert [t[1:] for t in told] == [(True, False, True)] * 2
    with gui_thread_io(window.library.conn, [incoming]) as seen:
        window.act_undo.trigger()
    assert seen == []
    assert imported[1] in live_ids(window.library.path)[1]


# --- sections out of sight redraw when shown again, not on every change -----------------------------------

def time_column(labs):
    col = labs.table.horizontalHeaderItem(0).text()
    assert col == "Time"
    return {labs.table.item(r, 0).data(Qt.ItemDataRole.UserRole): labs.table.item(r, 0).text()
            for r in range(labs.table.rowCount())}


def test_a_hidden_labs_section_redraws_only_when_shown_again_with_the_stored_times(qtbot, demo):
    window = demo
    labs = window.show_section("labs")
    qtbot.wait(10)
    shown_before = time_column(labs)
    assert len(shown_before) == len(window.session.case.labs) > MANY_LABS
    timeline = window.show_section("timeline")
    redrawn = []
    labs.table.model().dataChanged.connect(lambda *a: redrawn.append(a))
    assert timeline.table.select("ev-lesion-onset")
    qtbot.mouseClick(timeline.day0_button, Qt.MouseButton.LeftButton)
    qtbot.wait(20)  # any redraw the change queued has run
    after = stored(window.library.path, window.session.case_id)
    assert after.index_event_id == "ev-lesion-onset"
    assert redrawn == [] and labs._redraw.stale  # nothing of its 300-odd rows was touched
    assert time_column(labs) == shown_before
    # shown again: every row says its time against the new day 0, as the library file has it
    assert window.show_section("labs") is labs
    qtbot.wait(10)
    tl = timing.Timeline(after)
    expected = {lab.id: timing.describe(tl.place(lab.when)) for lab in after.labs}
    assert time_column(labs) == expected != shown_before
    assert not labs._redraw.stale
    # in sight, a change redraws it at once (once)
    redrawn.clear()
    window.act_undo.trigger()
    qtbot.wait(20)
    back = stored(window.library.path, window.session.case_id)
    tl = timing.Timeline(back)
    assert redrawn and time_column(labs) == {lab.id: timing.describe(tl.place(lab.when)) for lab in back.labs}


def test_the_patient_and_timeline_sections_redraw_once_per_step_and_only_in_sight(qtbot, demo):
    window = demo
    patient = window.show_section("patient")
    timeline = window.show_section("timeline")
    p0, t0 = patient._redraw.count, timeline._redraw.count
    assert timeline.table.select("ev-lesion-onset")
    qtbot.mouseClick(timeline.day0_button, Qt.MouseButton.LeftButton)  # touches events, case and labs
    assert timeline._redraw.count == t0 + 1  # once, though the step told several parts
    assert patient._redraw.count == p0 and patient._redraw.stale
    after = stored(window.library.path, window.session.case_id)
    day = timing.Timeline(after).event_day("ev-admission").day
    row = next(n for n, ev in enumerate(timeline.table.items()) if ev.id == "ev-admission")
    shown = [timeline.table.model.data(timeline.table.model.index(row, c)) for c in range(timeline.table.model.columnCount())]
    assert any(str(text).startswith(f"day {round(day)} ") for text in shown), shown  # was day 0 before
    window.show_section("patient")
    assert patient._redraw.count == p0 + 1 and not patient._redraw.stale


# --- a reference file is read, and its references written, on a worker ------------------------------------

REFERENCES_RIS = """TY  - JOUR
TI  - The CARE guidelines: consensus-based clinical case reporting guideline development
AU  - Gagnier, Joel J.
AU  - Kienle, Gunver
T2  - Journal of Medical Case Reports
PY  - 2013
VL  - 7
SP  - 223
DO  - 10.1186/1752-1947-7-223
ER  - 

TY  - JOUR
TI  - Calciphylaxis
AU  - Nigwekar, Sagar U.
AU  - Thadhani, Ravi
AU  - Brandenburg, Vincent M.
T2  - New England Journal of Medicine
PY  - 2018
VL  - 378
IS  - 18
SP  - 1704
EP  - 1714
DO  - 10.1056/NEJMra1505292
ER  - 
"""


def test_importing_a_reference_file_reads_and_writes_it_on_a_worker(qtbot, demo, tmp_path):
    window = demo
    folder = tmp_path / "zotero"
    folder.mkdir()
    path = folder / "export.ris"
    path.write_text(REFERENCES_RIS, encoding="utf-8")
    box = window.show_section("manuscript").references
    with gui_thread_io(window.library.conn, [folder]) as seen:
        reports = box.import_files([path])
    assert seen == []  # neither the file nor the two rows were touched on the window's thread
    assert reports[0].read == 2 and len(reports[0].added) == 2
    case = stored(window.library.path, window.session.case_id)
    assert sorted(r.doi for r in case.references) == ["10.1056/NEJMra1505292", "10.1186/1752-1947-7-223"]
    window.act_undo.trigger()  # one step takes both away
    assert stored(window.library.path, window.session.case_id).references == []


def test_waiting_for_a_worker_destroys_its_op_with_the_collector_held_off(qtbot):
    # CI hung once in Edit > Redo: the op's destructor ran a collection (PySide looks up Python overrides
    # there) that freed a dialog left in a reference cycle, whose destructor locked Qt's signal mutex the
    # outer destructor held. The op is destroyed with the collector off, so no collection runs inside it.
    import gc

    from desktop.gui.workers import running_ops, wait_off_thread
    seen = []

    def work(progress):
        for op in running_ops():  # the op this runs in: told when it is destroyed (no reference kept)
            op.destroyed.connect(lambda *_: seen.append(gc.isenabled()))
        return 7

    assert gc.isenabled()
    assert wait_off_thread(work) == 7
    assert seen == [False] and gc.isenabled()  # destroyed with the collector off, and it is back on
