"""The face detector in a child process (desktop.app.face_process): the window's face checks — of
the photos a library stored before the check existed, of photos being attached, of an export's
unchecked images — hand each image to a child so that the worker thread does not hold the
interpreter lock for seconds and stall the window (issue 11's goal of at most one frame on the
window's thread, measured by tests/benchmarks/bench_app.py part 2).

The expected answers are the detector's on this thread (tests/test_faces.py proves that one against
OpenCV's own detector): the child must answer exactly as it does."""
from __future__ import annotations

import os
import signal
import threading

import pytest

from desktop.app.face_process import FaceDetector
from desktop.app.progress import Cancelled
from desktop.app.render import running_children
from desktop.privacy.faces import may_show_face
from face_images import jpeg, leg_with_lesion, photo_with_face

FACE = jpeg(photo_with_face())
LEG = jpeg(leg_with_lesion(3))


def face_children():
    return running_children("face-check")


def test_the_child_answers_as_the_detector_does_in_a_process_of_its_own():
    assert (may_show_face(FACE), may_show_face(LEG)) == (True, False)
    with FaceDetector() as detector:
        assert detector(FACE) is True and detector.in_child
        assert detector.child_pid not in (None, os.getpid())
        assert detector(LEG) is False and detector.in_child
        assert len(face_children()) == 1  # one child for all the images
    assert face_children() == []  # closed with the detector


def test_no_child_is_started_until_an_image_is_asked_about():
    with FaceDetector() as detector:
        assert detector.child is None and face_children() == []


def test_without_a_process_the_detector_answers_on_this_thread():
    with FaceDetector(use_process=False) as detector:
        assert detector(FACE) is True and not detector.in_child and face_children() == []


def test_a_child_that_dies_leaves_no_photo_unchecked():
    with FaceDetector() as detector:
        assert detector(LEG) is False and detector.in_child
        os.kill(detector.child_pid, signal.SIGKILL)  # as if the system ended it
        assert detector(FACE) is True  # answered here instead: never "no face" for want of a child
        assert not detector.in_child and "face-check process stopped" in detector.note


def test_cancel_ends_the_child_and_gives_no_answer():
    with FaceDetector() as detector:
        detector(LEG)
        child = detector.child
        timer = threading.Timer(0.05, detector.kill)  # Cancel pressed while the child looks at an image
        timer.start()
        with pytest.raises(Cancelled):
            for _ in range(500):  # until the kill lands (each answer takes a few tens of milliseconds)
                detector(FACE)
        timer.join()
        assert child.proc.poll() is not None  # the child is gone


@pytest.mark.parametrize("kind", ["json", "package"])
def test_the_windows_exports_look_at_unchecked_photos_in_a_child(tmp_path, kind):
    """The window's exports (use_process) check a library's unchecked photos in the child too: the
    export runs on a worker while the window stays usable. The run may then be refused (the library's
    case has no declarations): the check comes first, and is what is looked at here."""
    import time

    from desktop.app.export import Options, export
    from desktop.app.package import make_package
    from desktop.report.errors import ReportRefused
    from test_faces_stored import CASE, old_library
    path = old_library(tmp_path, FACE, more=2)
    seen = []
    stop = threading.Event()

    def watch():
        while not stop.is_set():
            seen.append(len(running_children("face-check")))
            time.sleep(0.005)
    watcher = threading.Thread(target=watch)
    watcher.start()
    options = Options(use_process=True, allow_phi=True, journal="jmcr")
    try:
        if kind == "json":
            export("json", [(path, CASE)], tmp_path / "out.json", options)
        else:
            make_package((path, CASE), tmp_path / "pkg", options)
    except Exception as exc:  # refused after the check: the face, the declarations
        assert isinstance(exc, ReportRefused) or "face" in str(exc), exc
    finally:
        stop.set()
        watcher.join()
    assert max(seen) == 1 and running_children("face-check") == []
