"""The face check of images that have not had it (issue 13): those stored before it existed.

Every way in looks at a photo with the offline face detector (desktop.privacy.faces) and records the
answer (``Figure.may_show_face``) together with the fact that it looked (``Figure.face_checked``).
An image stored before the check existed carries neither: its ``may_show_face`` false means "never
looked", not "no face". Two things catch such images:

- the window, after a library opens, checks them on a worker (:func:`pending`, :func:`detect`) and
  records each case's answers as one change (:meth:`desktop.app.cases.Casebook.record_face_checks`,
  :func:`checked_changes`);
- every export checks any image still unchecked before it decides whether to refuse
  (:func:`check_unchecked`, on its own copy of the case), so the command line is safe too, whether
  or not the window ever opened the library.

A check only adds a flag: it never clears a ``may_show_face`` already set, nor the author's
``consent_covers_image``.
"""
from __future__ import annotations

import dataclasses
from typing import Callable, Iterable

from ..model import Case, Figure
from .progress import NO_PROGRESS, check


def needs_check(m: Figure) -> bool:
    """An image whose bytes the detector has not looked at (a flagged one needs no second look)."""
    return not m.face_checked and not m.may_show_face and (m.mime or "").startswith("image/")


def pending(lib) -> list[tuple[str, list[Figure]]]:
    """The cases of the library (not the trash) with images still to check, and those images
    (without their bytes), in the library's order."""
    out: dict[str, list[Figure]] = {}
    for case_id, m in lib.figure_list():
        if needs_check(m):
            out.setdefault(case_id, []).append(m)
    return list(out.items())


def _detector(detector: Callable[[bytes], bool] | None) -> Callable[[bytes], bool]:
    if detector is not None:
        return detector
    from ..privacy.faces import may_show_face
    return may_show_face


def detect(figures: Iterable[Figure], figure_bytes: Callable[[str], bytes],
           progress: Callable[..., None] = NO_PROGRESS,
           detector: Callable[[bytes], bool] | None = None) -> dict[str, tuple[str, bool]]:
    """Run the detector on each image: by figure id, (the checksum of the bytes looked at, whether
    they may show a face). Before each image ``progress`` is asked whether to go on (it raises
    :class:`~desktop.app.progress.Cancelled` when the user cancelled). ``detector``: the one to
    ask (the window's is a :class:`desktop.app.face_process.FaceDetector`); by default the detector
    runs on this thread."""
    detector = _detector(detector)
    found = {}
    for m in figures:
        check(progress)
        found[m.id] = (m.sha256, detector(figure_bytes(m.id)))
    return found


def checked_changes(figures: Iterable[Figure], found: dict[str, tuple[str, bool]]) -> list:
    """The changes that record ``found`` on the case's current ``figures``: one PutFigure (meta only)
    per image still unchecked and holding the bytes that were looked at. An image deleted, replaced
    or checked meanwhile is left as it is."""
    from ..store.changes import PutFigure
    out = []
    for m in figures:
        if m.id in found and needs_check(m) and found[m.id][0] == m.sha256:
            out.append(PutFigure(dataclasses.replace(m, data=None, face_checked=True,
                                                     may_show_face=m.may_show_face or found[m.id][1])))
    return out


def check_unchecked(cases: Iterable[Case], figure_bytes_of: Callable[[Case], Callable[[str], bytes]],
                    progress: Callable[..., None] = NO_PROGRESS, *, use_process: bool = False) -> int:
    """At export: look at every image of ``cases`` the detector has not seen, and set its flags on
    these copies (the export's own; the library is not written). ``figure_bytes_of(case)`` gives the
    bytes of an image read without them. ``use_process`` (the window's exports): the detector runs
    in a child process (started only when an image needs it), so the worker running the export leaves
    the window's thread the interpreter lock. Returns how many were checked."""
    from .face_process import FaceDetector
    n = 0
    with FaceDetector(use_process=use_process, progress=progress) as may_show_face:
        for case in cases:
            todo = [m for m in case.figures if needs_check(m)]
            if not todo:
                continue
            progress(0.03, text="checking photos for faces")
            get = figure_bytes_of(case)
            for m in todo:
                check(progress)
                try:
                    data = m.data if m.data is not None else get(m.id)
                except KeyError:  # a case handed over without its images' bytes: none of them can go out
                    continue
                m.may_show_face, m.face_checked = may_show_face(data), True
                n += 1
    return n
