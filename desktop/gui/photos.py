"""Images on the GUI side: taking image files in (file dialog or drag-and-drop), thumbnails, and a
thumbnail strip with editable captions used by the Lesions section.

Every image entering the library goes through :func:`desktop.privacy.images.strip_metadata`: the EXIF
orientation is applied and EXIF, XMP, IPTC and the rest are dropped before the bytes reach the
session. Attaching reads, strips and encodes the files on a worker, with the thumbnails the open
views will ask for, and the session writes them on a worker too: the window's thread touches no
image file and no image's bytes (ten photos of 4 MB take about a second of work). Problems are
reported per file.
"""
from __future__ import annotations

import copy
import hashlib
import weakref
from collections import OrderedDict
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QMimeData, QSize, Qt, Signal
from PySide6.QtGui import QIcon, QImage, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView, QCheckBox, QFileDialog, QHBoxLayout, QLabel, QListWidget, QListWidgetItem,
    QMessageBox, QPushButton, QVBoxLayout, QWidget,
)

from ..model import Figure
from ..privacy.faces import may_show_face
from ..privacy.images import ImageError, strip_metadata, thumbnail
from .forms import set_muted

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".jpe", ".png", ".gif", ".bmp", ".tif", ".tiff", ".webp", ".mpo")
FILE_FILTER = "Images (" + " ".join(f"*{s}" for s in IMAGE_SUFFIXES) + ");;All files (*)"
MAX_FILE_BYTES = 200 * 1024 * 1024  # larger files are not photos a case report needs
THUMB_PX = 160


class PhotoImportError(Exception):
    """A file could not be taken in; the message names the file and the problem."""


def figure_from_path(path: str | Path, *, lesion_id: str | None = None, event_id: str | None = None,
                    imaging_id: str | None = None, caption: str = "",
                    detector: Callable[[bytes], bool] = may_show_face) -> Figure:
    """Read an image file and return a :class:`Figure` ready for ``session.add_figure``: pixels only
    (metadata stripped, EXIF orientation applied), with its size and checksum, and flagged when it
    may show a face (desktop.privacy.faces)."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise PhotoImportError(f"{path.name}: the file is {size / 1e6:.0f} MB; images above "
                                   f"{MAX_FILE_BYTES / 1e6:.0f} MB are not taken")
        raw = path.read_bytes()
    except PhotoImportError:
        raise
    except OSError as exc:
        raise PhotoImportError(f"{path.name}: the file cannot be read ({exc.strerror or exc})") from None
    try:
        data, mime, w, h = strip_metadata(raw)
    except ImageError as exc:
        raise PhotoImportError(f"{path.name}: {exc}") from None
    # the offline face check (about a second a photo in pure Python): off the GUI thread, and in a
    # child process when ``detector`` is a desktop.app.face_process.FaceDetector
    return Figure(mime=mime, data=data, sha256=hashlib.sha256(data).hexdigest(), width_px=w, height_px=h,
                  caption=caption, lesion_id=lesion_id, event_id=event_id, imaging_id=imaging_id,
                  may_show_face=detector(data), face_checked=True)


def image_paths(mime: QMimeData | None) -> list[Path]:
    """The local image files in a drag's data, in the order given."""
    if mime is None or not mime.hasUrls():
        return []
    out = []
    for url in mime.urls():
        if url.isLocalFile():
            p = Path(url.toLocalFile())
            if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file():
                out.append(p)
    return out


def attach_files(session, paths, *, lesion_id: str | None = None, event_id: str | None = None,
                 imaging_id: str | None = None) -> tuple[list[str], list[str]]:
    """Take image files into the case as one undoable step. Returns ``(added figure ids, problems)``;
    each problem names its file. The files are read, stripped and encoded on a worker (with the
    thumbnails of the sizes the open views show), then written by the session on a worker."""
    from ..app.face_process import FaceDetector
    from .workers import wait_off_thread
    paths = list(paths)
    sizes = sorted({c.max_px for c in list(_caches)})

    def job(progress):
        figures, problems, thumbs = [], [], {}
        with FaceDetector() as detector:  # in a child process: this worker leaves the window the lock
            for n, p in enumerate(paths):
                progress(n, len(paths), text=Path(p).name)
                try:
                    fig = figure_from_path(p, lesion_id=lesion_id, event_id=event_id, imaging_id=imaging_id,
                                           detector=detector)
                except PhotoImportError as exc:
                    problems.append(str(exc))
                    continue
                figures.append(fig)
                for px in sizes:
                    try:  # decoded here too (a QImage may be made off the window's thread; a QPixmap not)
                        image = QImage.fromData(thumbnail(fig.data, px))
                    except ImageError:
                        continue  # the view shows its empty tile, as for any damaged image
                    if not image.isNull():
                        thumbs[(fig.sha256, px)] = image
        return figures, problems, thumbs
    figures, problems, thumbs = wait_off_thread(job, label="Reading images")
    for key, data in thumbs.items():
        _remember(key, data)
    added = []
    if figures and session.add_figures(figures, "Attach figure" if len(figures) == 1 else f"Attach {len(figures)} figures"):
        added = [m.id for m in figures]
    return added, problems


# Thumbnails made on the worker that read the files, waiting for the views to ask (by checksum and
# size), so that showing a photo just attached reads nothing on the window's thread.
_made: "OrderedDict[tuple[str, int], QImage]" = OrderedDict()
_MADE_MAX = 96
_caches: "weakref.WeakSet[ThumbnailCache]" = weakref.WeakSet()


def _remember(key: tuple[str, int], data: QImage) -> None:
    _made[key] = data
    _made.move_to_end(key)
    while len(_made) > _MADE_MAX:
        _made.popitem(last=False)


def ask_image_files(parent: QWidget, title: str = "Attach images") -> list[str]:
    files, _ = QFileDialog.getOpenFileNames(parent, title, "", FILE_FILTER)
    return files


def show_problems(parent: QWidget, problems: list[str]) -> None:
    if problems:
        QMessageBox.warning(parent, "Some images were not attached",
                            "These files were not attached:\n\n" + "\n".join(problems))


class ThumbnailCache:
    """Thumbnails of the session's images, made once per image (keyed on id and checksum)."""

    def __init__(self, session, max_px: int = THUMB_PX):
        self.session = session
        self.max_px = max_px
        self._cache: dict[tuple[str, str], QPixmap] = {}
        _caches.add(self)  # attaching makes thumbnails of this size in advance

    def pixmap(self, figure: Figure) -> QPixmap:
        key = (figure.id, figure.sha256)
        pm = self._cache.get(key)
        if pm is None:
            pm = QPixmap()
            try:
                ready = _made.get((figure.sha256, self.max_px))
                if ready is not None:
                    pm = QPixmap.fromImage(ready)
                else:
                    data = figure.data if figure.data is not None else self.session.figure_bytes(figure.id)
                    pm.loadFromData(thumbnail(data, self.max_px))
            except Exception:  # a damaged image: an empty tile, the caption still shows
                pm = QPixmap(self.max_px, self.max_px)
                pm.fill(Qt.GlobalColor.lightGray)
            self._cache[key] = pm
        return pm

    def icon(self, figure: Figure) -> QIcon:
        return QIcon(self.pixmap(figure))


class PhotoStrip(QWidget):
    """The photos linked to one lesion: thumbnails with their captions (double-click to edit), the
    ``identifying`` mark of the selected photo, and Attach / Remove. Drops of image files are taken by
    the owning panel, which calls :meth:`attach_paths`."""

    problems = Signal(list)  # messages about files that were not attached

    def __init__(self, session, cache: ThumbnailCache, parent=None):
        super().__init__(parent)
        self.session = session
        self.cache = cache
        self.lesion_id: str | None = None
        self._filling = False

        self.list = QListWidget()
        self.list.setViewMode(QListWidget.ViewMode.IconMode)
        self.list.setIconSize(QSize(THUMB_PX, THUMB_PX))
        self.list.setGridSize(QSize(THUMB_PX + 24, THUMB_PX + 46))
        self.list.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.list.setMovement(QListWidget.Movement.Static)
        self.list.setWordWrap(True)
        self.list.setWrapping(False)
        self.list.setFlow(QListWidget.Flow.LeftToRight)
        self.list.setFixedHeight(THUMB_PX + 64)
        self.list.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                  | QAbstractItemView.EditTrigger.EditKeyPressed)
        self.list.setAccessibleName("Photos of this lesion (double-click a caption to edit it)")
        self.list.itemChanged.connect(self._caption_edited)
        self.list.currentItemChanged.connect(lambda *_: self._sync_marks())

        self.hint = QLabel("No photos yet. Attach one, or drop image files here. Metadata (EXIF, GPS) "
                           "is removed and the camera's orientation applied.")
        self.hint.setWordWrap(True)
        set_muted(self.hint)  # secondary, yet readable (palette(mid) read as a disabled control)
        self.identifying = QCheckBox("Identifying (shows a face, tattoo or another identifying feature)")
        self.identifying.setAccessibleName("Selected photo is identifying")
        self.identifying.toggled.connect(self._identifying_toggled)
        self.attach_button = QPushButton("Attach photo…")
        self.attach_button.setAccessibleName("Attach a photo of this lesion")
        self.attach_button.clicked.connect(self.attach_by_dialog)
        self.remove_button = QPushButton("Remove photo…")
        self.remove_button.setAccessibleName("Remove the selected photo")
        self.remove_button.clicked.connect(self._remove)

        self.identifying.setText("Identifying (face, tattoo or other feature)")
        self.identifying.setToolTip("The photo shows a face, a tattoo or another feature that could identify "
                                    "the patient; identified photos need the patient's consent to images")
        row = QHBoxLayout()
        row.addWidget(self.attach_button)
        row.addWidget(self.remove_button)
        row.addStretch(1)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(6)
        lay.addWidget(self.list)
        lay.addWidget(self.hint)
        lay.addWidget(self.identifying)
        lay.addLayout(row)
        self.refresh()

    def photos(self) -> list[Figure]:
        if self.lesion_id is None:
            return []
        return [m for m in self.session.case.figures if m.lesion_id == self.lesion_id]

    def set_lesion(self, lesion_id: str | None) -> None:
        self.lesion_id = lesion_id
        self.refresh()

    def refresh(self) -> None:
        current = self.current_figure_id()
        self._filling = True
        try:
            self.list.clear()
            for m in self.photos():
                item = QListWidgetItem(self.cache.icon(m), m.caption or "(no caption)")
                item.setData(Qt.ItemDataRole.UserRole, m.id)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable)
                item.setToolTip(f"{m.caption or 'No caption'}\n{m.width_px}×{m.height_px} px"
                                + ("\nIdentifying" if m.identifying else ""))
                self.list.addItem(item)
                if m.id == current:
                    self.list.setCurrentItem(item)
            if self.list.currentItem() is None and self.list.count():
                self.list.setCurrentRow(0)
        finally:
            self._filling = False
        has = self.list.count() > 0
        self.hint.setVisible(not has)
        self.list.setVisible(has)
        self.identifying.setVisible(has)  # a mark of the selected photo: nothing to mark without one
        self.remove_button.setVisible(has)
        enabled = self.lesion_id is not None and not self.session.read_only
        self.attach_button.setEnabled(enabled)
        self._sync_marks()

    def current_figure_id(self) -> str | None:
        item = self.list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None

    def _figure(self, figure_id: str | None) -> Figure | None:
        return next((m for m in self.session.case.figures if m.id == figure_id), None)

    def _sync_marks(self) -> None:
        m = self._figure(self.current_figure_id())
        self._filling = True
        self.identifying.setChecked(bool(m and m.identifying))
        self._filling = False
        writable = not self.session.read_only
        self.identifying.setEnabled(m is not None and writable)
        self.remove_button.setEnabled(m is not None and writable)

    def _caption_edited(self, item: QListWidgetItem) -> None:
        if self._filling:
            return
        m = self._figure(item.data(Qt.ItemDataRole.UserRole))
        if m is None:
            return
        text = item.text().strip()
        if text == "(no caption)":
            text = ""
        if text != m.caption:
            new = copy.deepcopy(m)
            new.caption = text
            self.session.update_figure(new, text="Edit caption")

    def _identifying_toggled(self, on: bool) -> None:
        if self._filling:
            return
        m = self._figure(self.current_figure_id())
        if m is not None and m.identifying != on:
            new = copy.deepcopy(m)
            new.identifying = on
            self.session.update_figure(new, text="Mark image identifying" if on else "Mark image not identifying")

    def _remove(self) -> None:
        mid = self.current_figure_id()
        if mid is None:
            return
        answer = QMessageBox.question(self, "Remove photo",
                                      "Remove this photo from the case? (Edit ▸ Undo brings it back.)")
        if answer == QMessageBox.StandardButton.Yes:
            self.session.delete_figure(mid)

    def attach_paths(self, paths) -> list[str]:
        """Attach image files to the current lesion; returns the new figure ids."""
        if self.lesion_id is None:
            return []
        added, problems = attach_files(self.session, paths, lesion_id=self.lesion_id)
        if problems:
            self.problems.emit(problems)
        return added

    def attach_by_dialog(self) -> None:
        files = ask_image_files(self, "Attach photos of this lesion")
        if files:
            self.attach_paths(files)
