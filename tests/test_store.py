"""The case library: one SQLite file, migrations, field-level audit, owner-only permissions."""
import os
import sqlite3
import stat

import pytest

from desktop import jsonio
from desktop.demo import load_demo
from desktop.model import Identifiers, LabResult, Figure, When
from desktop.store import schema
from desktop.store.library import (Damaged, LibraryError, NewerVersion, NoSuchCase, NotALibrary,
                                   ReadOnlyLibrary, create_library, open_library)

from helpers import small_jpeg, synthetic_case


@pytest.fixture
def lib(tmp_path):
    library = create_library(tmp_path / "lib.casebook")
    yield library
    library.close()


def test_new_library_is_owner_only(tmp_path):
    path = tmp_path / "private.casebook"
    library = create_library(path)
    cid = library.add_case(load_demo())  # forces the -wal file into being
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    for side in ("-wal", "-shm", "-lock"):
        p = tmp_path / f"private.casebook{side}"
        if p.exists():
            assert stat.S_IMODE(os.stat(p).st_mode) & 0o077 == 0, side
    assert cid
    library.close()


def test_demo_round_trips_byte_identically_through_the_library(lib):
    demo = load_demo()
    cid = lib.add_case(demo)
    assert cid == demo.id
    assert jsonio.dumps(lib.load_case(cid)) == jsonio.dumps(demo)


def test_round_trip_after_reopen_and_through_a_second_library(tmp_path, lib):
    case = synthetic_case()
    # a real image: a case file's image bytes are decoded on import to drop metadata (issue 13)
    # face_checked: a plain colour has no face, and reading a case file marks its images looked at
    case.figures.append(Figure(id="m1", data=small_jpeg(), mime="image/jpeg", caption="c", face_checked=True))
    cid = lib.add_case(case)
    lib.close()
    again = open_library(tmp_path / "lib.casebook")
    text = jsonio.dumps(again.load_case(cid))
    other = create_library(tmp_path / "other.casebook")
    cid2 = other.add_case(jsonio.loads(text))
    assert jsonio.dumps(other.load_case(cid2)) == text
    other.close()
    again.close()


def test_load_without_figure_bytes(lib):
    case = synthetic_case()
    photo = small_jpeg()
    case.figures.append(Figure(id="m1", data=photo, caption="x"))
    cid = lib.add_case(case)
    light = lib.load_case(cid, figures=False)
    assert light.figures[0].data is None and light.figures[0].caption == "x"
    assert lib.figure_bytes(cid, "m1") == photo


def test_an_image_is_kept_as_pixels_only_whatever_the_caller(lib):
    """Issue 13: every way into the library strips metadata; the store's own API too (a caller that
    did not strip first), and bytes that are no image are refused."""
    from desktop.privacy.images import has_metadata
    from test_images import _identifying_jpeg
    case = synthetic_case()
    case.figures.append(Figure(id="m1", data=_identifying_jpeg(), caption="x"))
    cid = lib.add_case(case)
    assert not has_metadata(lib.figure_bytes(cid, "m1"))
    bad = synthetic_case()
    bad.figures.append(Figure(id="m2", data=b"bytes"))
    with pytest.raises(ValueError, match="cannot be read as an image"):
        lib.add_case(bad)


def test_importing_the_same_case_twice_gives_a_new_id(lib):
    a = lib.add_case(load_demo())
    b = lib.add_case(load_demo())
    assert a != b and len(lib.list_cases()) == 2


def test_item_edits_are_saved_and_audited_field_by_field(lib):
    cid = lib.add_case(synthetic_case())
    case = lib.load_case(cid)
    lab = case.labs[0]
    lab.value = 11.0
    lib.save_item(cid, "labs", lab)
    lesion = case.lesions[0]
    lesion.observations[0].width_mm = 33.0
    lib.save_item(cid, "lesions", lesion)
    lib.save_item(cid, "labs", LabResult(id="new", analyte="phosphate", value=4.0, unit="mg/dL"))
    lib.delete_item(cid, "labs", "l1")
    entries = [(a.entity, a.entity_id, a.field, a.old, a.new) for a in lib.audit(cid)]
    assert ("labs", "l0", "value", "9.0", "11.0") in entries
    assert ("lesions", "s0", "observations[o0].width_mm", "10.0", "33.0") in entries
    assert any(e[:3] == ("labs", "new", "added") for e in entries)
    assert any(e[:3] == ("labs", "l1", "removed") for e in entries)
    assert all(a.os_user and a.at for a in lib.audit(cid))
    reloaded = lib.load_case(cid)
    assert reloaded.labs[0].value == 11.0 and reloaded.labs[-1].id == "new"
    assert "l1" not in {l.id for l in reloaded.labs}
    assert reloaded.lesions[0].observations[0].width_mm == 33.0


def test_positions_insert_and_move(lib):
    cid = lib.add_case(synthetic_case(n_labs=3))
    lib.save_item(cid, "labs", LabResult(id="first", analyte="calcium", value=9.0, unit="mg/dL"), position=0)
    assert [l.id for l in lib.load_case(cid).labs] == ["first", "l0", "l1", "l2"]
    lib.move_item(cid, "labs", "first", 2)
    assert [l.id for l in lib.load_case(cid).labs] == ["l0", "l1", "first", "l2"]


def test_identifier_values_never_enter_the_audit_log(lib):
    cid = lib.add_case(synthetic_case())
    lib.save_identifiers(cid, Identifiers(family_name="Quenneville", phone="555-0142"))
    lib.save_identifiers(cid, Identifiers(family_name="Quennevil", phone="555-0142"))
    log = " ".join(f"{a.old} {a.new}" for a in lib.audit(cid))
    assert "Quenne" not in log and "555" not in log
    assert any(a.entity == "identifiers" and a.field == "family_name" for a in lib.audit(cid))
    assert lib.load_case(cid).identifiers.family_name == "Quennevil"


def test_case_fields_single_parts_and_search(lib):
    cid = lib.add_case(load_demo())
    lib.set_case_fields(cid, title="Penile calciphylaxis: a case report", keywords=["penile", "warfarin-free"])
    case = lib.load_case(cid)
    case.outcome.status = "alive"
    lib.save_single(cid, "outcome", case.outcome)
    assert [c.id for c in lib.list_cases("warfarin-free")] == [cid]
    assert [c.id for c in lib.list_cases("glans")] == [cid]  # by site
    assert [c.id for c in lib.list_cases("alive")] == [cid]  # by outcome
    assert lib.list_cases("no such thing") == []
    with pytest.raises(ValueError):
        lib.set_case_fields(cid, patient=None)


def test_audit_is_append_only_in_the_database_itself(lib):
    cid = lib.add_case(synthetic_case())
    lib.set_case_fields(cid, title="changed")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        lib.conn.execute("UPDATE audit SET new = 'forged'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        lib.conn.execute("DELETE FROM audit")
    raw = sqlite3.connect(lib.path)  # another connection, bypassing our code entirely
    with pytest.raises(sqlite3.IntegrityError):
        raw.execute("DELETE FROM audit WHERE seq = 1")
    raw.close()
    assert len(lib.audit(cid)) >= 2


def test_delete_and_duplicate_case(lib):
    cid = lib.add_case(load_demo())
    dup = lib.duplicate_case(cid)
    assert lib.load_case(dup).title.endswith("(copy)")
    assert len(lib.load_case(dup).labs) == len(lib.load_case(cid).labs)
    lib.delete_case(cid)
    assert not lib.has_case(cid)
    with pytest.raises(NoSuchCase):
        lib.load_case(cid)
    assert any(a.field == "deleted" for a in lib.audit(cid))  # the log outlives the case
    assert lib.conn.execute("SELECT count(*) FROM parts WHERE case_id = ?", (cid,)).fetchone()[0] == 0


def test_newer_version_is_refused_and_left_alone(tmp_path):
    path = tmp_path / "future.casebook"
    create_library(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {schema.LATEST + 5}")
    conn.close()
    before = path.read_bytes()
    with pytest.raises(NewerVersion, match="newer Casebook"):
        open_library(path)
    assert path.read_bytes() == before


@pytest.mark.parametrize("content", [b"", b"hello, not a database\n" * 10, os.urandom(4096)],
                         ids=["empty", "text", "random"])
def test_files_that_are_not_libraries(tmp_path, content):
    path = tmp_path / "x.casebook"
    path.write_bytes(content)
    with pytest.raises(NotALibrary):
        open_library(path)
    assert path.read_bytes() == content


def test_a_plain_sqlite_file_is_not_a_library(tmp_path):
    path = tmp_path / "other.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t(x)")
    conn.commit()
    conn.close()
    with pytest.raises(NotALibrary, match="not a Casebook library"):
        open_library(path)


def test_damaged_library_is_refused(tmp_path):
    path = tmp_path / "broken.casebook"
    lib = create_library(path)
    for i in range(30):
        lib.add_case(synthetic_case(seed=i))
    lib.close()
    data = bytearray(path.read_bytes())
    data[4096:4096 * 4] = os.urandom(4096 * 3)  # scribble over pages after the header
    path.write_bytes(bytes(data))
    with pytest.raises(LibraryError):
        library = open_library(path, check=True)
        library.list_cases()
        [library.load_case(c) for c in library.case_ids()]


def test_second_opener_is_read_only_and_cannot_write(tmp_path):
    path = tmp_path / "shared.casebook"
    first = create_library(path)
    cid = first.add_case(synthetic_case())
    second = open_library(path)
    assert second.read_only and "another Casebook" in second.notice
    assert second.load_case(cid).title  # reading works
    with pytest.raises(ReadOnlyLibrary):
        second.set_case_fields(cid, title="clash")
    second.close()
    first.set_case_fields(cid, title="still mine")
    first.close()
    third = open_library(path)
    assert not third.read_only and third.load_case(cid).title == "still mine"
    third.close()


def test_read_only_file_opens_read_only(tmp_path):
    path = tmp_path / "ro.casebook"
    create_library(path).close()
    os.chmod(path, 0o400)
    lib = open_library(path)
    assert lib.read_only and "read-only" in lib.notice
    lib.close()


def test_read_only_mode_on_request(tmp_path):
    path = tmp_path / "ro.casebook"
    create_library(path).close()
    lib = open_library(path, read_only=True)
    with pytest.raises(ReadOnlyLibrary):
        lib.add_case(synthetic_case())
    lib.close()


def test_lab_timepoints_survive_storage(lib):
    case = synthetic_case()
    case.labs[0].when = When(event_id="e1", offset=-2.0, precision="week", approximate=True, label="2 weeks before")
    cid = lib.add_case(case)
    assert lib.load_case(cid).labs[0].when == case.labs[0].when


def test_a_new_library_says_nothing_about_an_upgrade(tmp_path):
    """Its creation runs every schema step from version 0; the note that photos were stripped of
    their metadata is for libraries that had some (issue 13), never for a new one."""
    with create_library(tmp_path / "new.casebook") as lib:
        assert lib.upgrade_notes == []


def test_the_case_list_names_coarse_sites_as_running_text_does(tmp_path):
    """Lu et al. (BMC Nephrol 2022): ulcers "on the fingers and toes". The case list read "finger; toe,
    which toe not stated": the fine site's list label, and the coarse one's code for want of a
    label. Both are named as the findings name them, and found by that name."""
    from pathlib import Path
    from desktop import jsonio
    from desktop.store.library import create_library
    lib = create_library(tmp_path / "lu.casebook")
    case = jsonio.loads((Path(__file__).parent / "cases" / "fingers-toes-pd-fractionated-sts.json").read_text("utf-8"))
    cid = lib.add_case(case)
    (row,) = lib.list_cases("")
    assert row.sites == "finger; toe"
    assert [c.id for c in lib.list_cases("toe")] == [cid]
    lib.close()
