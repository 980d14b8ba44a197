"""A step of the operations layer in three phases (issue 11): planned and written on another
thread with a connection of its own, finished where the edits are made. Plain pytest, no Qt; the
other thread is a real thread, the fault a real SQLite error from a trigger in the library file."""
import sqlite3
import threading

import pytest

from desktop import jsonio
from desktop.app import Casebook
from desktop.store.library import LibraryError, create_library, open_library
from helpers import full_case


@pytest.fixture
def book(tmp_path):
    with create_library(tmp_path / "lib.casebook") as lib:
        lib.add_case(full_case())
    cb = Casebook.open(tmp_path / "lib.casebook")
    yield cb
    cb.close()


def stored(cb: Casebook, cid: str) -> bytes:
    with open_library(cb.path, read_only=True) as lib:
        return jsonio.dump_bytes(lib.load_case(cid, figures=False))


def elsewhere(book, fn):
    """Run ``fn(worker_library)`` on another thread with a connection of its own; its result or error."""
    out = {}

    def run():
        try:
            with book.library.worker() as lib:
                out["result"] = fn(lib)
        except BaseException as exc:  # handed back to the test's thread
            out["error"] = exc
    t = threading.Thread(target=run)
    t.start()
    t.join(30)
    if "error" in out:
        raise out["error"]
    return out["result"]


def test_a_step_planned_and_written_elsewhere_is_one_step_told_once_when_finished(book):
    cid = book.library.case_ids()[0]
    oc = book.open_case(cid)
    before, index_before = stored(book, cid), oc.case.index_event_id
    told = []
    book.notifier.subscribe(lambda ch: told.append((ch, oc.case.index_event_id)))
    changes, label = oc.set_day0_changes("e1")
    assert len(changes) > 1  # the events re-anchored and the case's index event: several rows
    pending = elsewhere(book, lambda lib: oc.write(oc.plan(changes, label, library=lib), lib))
    # written, not yet finished: the file has it, the case in hand and its history not yet
    assert oc.case.index_event_id == index_before and not oc.history.can_undo() and told == []
    with open_library(book.path, read_only=True) as lib:
        assert lib.load_case(cid).index_event_id == "e1"
    oc.finish(pending)
    assert oc.case.index_event_id == "e1" and oc.history.undo_label().startswith("Set day 0")
    [(ch, index_then)] = told
    assert index_then == "e1" and ch.case_id == cid and {"events", "case"} <= ch.parts and not ch.undo
    assert book.next_is_the_case(cid) and not book.next_is_the_case(cid, redo=True)
    # its undo, planned and written elsewhere too, is one step back
    undo = elsewhere(book, lambda lib: oc.write(oc.plan_replay(redo=False, library=lib), lib))
    oc.finish(undo)
    assert stored(book, cid) == before and oc.case.index_event_id == index_before
    assert oc.history.can_redo() and not oc.history.can_undo() and told[-1][0].undo


def test_a_write_that_fails_elsewhere_changes_nothing_and_cannot_be_finished(book):
    cid = book.library.case_ids()[0]
    oc = book.open_case(cid)
    before, before_case = stored(book, cid), jsonio.dump_bytes(oc.case)
    conn = sqlite3.connect(book.path)
    conn.execute("CREATE TRIGGER boom BEFORE UPDATE ON cases WHEN NEW.data LIKE '%\"index_event_id\":\"e1\"%' "
                 "BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END")
    conn.commit()
    conn.close()
    pending = oc.plan(*oc.set_day0_changes("e1"))
    with pytest.raises(LibraryError, match="disk"):
        elsewhere(book, lambda lib: oc.write(pending, lib))
    with pytest.raises(RuntimeError, match="before write"):
        oc.finish(pending)
    assert stored(book, cid) == before and jsonio.dump_bytes(oc.case) == before_case
    assert not oc.history.can_undo()


def test_the_case_list_is_read_on_a_connection_of_its_own(book):
    book.new_case("A second case report")
    rows = elsewhere(book, lambda _lib: book.read_case_list("second"))
    assert [r.title for r in rows] == ["A second case report"]
    assert len(elsewhere(book, lambda _lib: book.read_case_list(""))) == 2
