"""Figures: every image of the case, in the order the report numbers them, with captions, links to a
lesion, an event or an imaging study, and the ``identifying`` and ``in_report`` marks.

Images enter through the same intake as anywhere else (desktop.gui.photos: metadata stripped, EXIF
orientation applied). Reordering (Move up/down, or dragging in the list) goes through
``session.move_media``; every change is one undoable step.
"""
from __future__ import annotations

import copy
import re

from PySide6.QtCore import QSignalBlocker, QSize, Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QFrame, QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QMessageBox,
    QPushButton, QScrollArea, QSizePolicy, QSplitter, QToolButton, QVBoxLayout, QWidget,
)

from ... import timing
from ...model import Figure
from ..fields import CheckField, FormCombo, TextArea
from ..formatting import event_title, label_of
from ..forms import SPACING, FieldError, add_row, form_layout, heading, hint_label, set_muted, shortcut
from ..photos import ThumbnailCache, ask_image_files, attach_files, image_paths, show_problems
from .lesion_sites import lesion_text

LIST_ICON = 72
PREVIEW_PX = 420


def link_of(figure: Figure) -> tuple[str, str] | None:
    """The (kind, id) an image is linked to, lesion first."""
    for kind in ("lesion", "event", "imaging"):
        value = getattr(figure, f"{kind}_id")
        if value:
            return kind, value
    return None


class Preview(QLabel):
    """The selected image, scaled to the width it is given (never above its own size)."""

    def __init__(self):
        super().__init__()
        self._pixmap: QPixmap | None = None
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setMinimumSize(120, 120)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setFrameShape(QFrame.Shape.StyledPanel)

    def set_image(self, pixmap: QPixmap | None) -> None:
        self._pixmap = pixmap
        if pixmap is None:
            self.clear()
            self.setText("No image selected")
        self._fit()

    def resizeEvent(self, ev) -> None:
        super().resizeEvent(ev)
        self._fit()

    def _fit(self) -> None:
        pm = self._pixmap
        if pm is None or pm.isNull():
            return
        w = max(60, self.width() - 8)
        h = min(PREVIEW_PX, max(60, round(w * pm.height() / max(1, pm.width()))))
        self.setPixmap(pm.scaled(QSize(w, h), Qt.AspectRatioMode.KeepAspectRatio,
                                 Qt.TransformationMode.SmoothTransformation))
        self.setFixedHeight(h + 8)


class FiguresSection(QWidget):
    def __init__(self, session, parent=None):
        super().__init__(parent)
        self.session = session
        self._selected: str | None = None
        self._loading = False
        self.thumbs = ThumbnailCache(session, LIST_ICON * 2)
        self.previews = ThumbnailCache(session, PREVIEW_PX)
        self.setAcceptDrops(True)

        # --- the list -------------------------------------------------------------------------------
        self.list = QListWidget()
        self.list.setAccessibleName("Figures in report order")
        self.list.setIconSize(QSize(LIST_ICON, LIST_ICON))
        self.list.setSpacing(2)
        self.list.setWordWrap(True)
        self.list.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.list.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.list.currentItemChanged.connect(self._current_changed)
        self.list.model().rowsMoved.connect(self._rows_moved)
        self.add_button = QPushButton("Add image…")
        self.add_button.setAccessibleName("Add images to the case")
        self.add_button.setToolTip("Add image files (Ctrl+Shift+I); or drop them on this section")
        self.add_button.clicked.connect(self.add_by_dialog)
        self.up_button = QToolButton()
        self.up_button.setArrowType(Qt.ArrowType.UpArrow)
        self.up_button.setAccessibleName("Move the selected figure up")
        self.up_button.setToolTip("Move up: earlier in the report (Alt+Up)")
        self.up_button.clicked.connect(lambda: self.move_selected(-1))
        self.down_button = QToolButton()
        self.down_button.setArrowType(Qt.ArrowType.DownArrow)
        self.down_button.setAccessibleName("Move the selected figure down")
        self.down_button.setToolTip("Move down: later in the report (Alt+Down)")
        self.down_button.clicked.connect(lambda: self.move_selected(1))
        self.delete_button = QPushButton("Delete…")
        self.delete_button.setAccessibleName("Delete the selected image")
        self.delete_button.clicked.connect(lambda: self.delete_selected())
        buttons = QHBoxLayout()
        buttons.setSpacing(SPACING - 4)
        for b in (self.add_button, self.up_button, self.down_button, self.delete_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.setSpacing(6)
        ll.addWidget(self.list, 1)
        ll.addLayout(buttons)

        # --- the selected image ------------------------------------------------------------------------
        self.preview = Preview()
        self.preview.setAccessibleName("Preview of the selected image")
        self.caption = TextArea("Caption", lines=3, placeholder="What the figure shows, as the report prints it")
        self.caption.committed.connect(self._caption_committed)
        self.link = FormCombo()
        self.link.setAccessibleName("Shows (linked to)")
        self.link.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.link.setMinimumContentsLength(20)
        self.link.activated.connect(self._link_picked)
        self.identifying = CheckField("Identifying (face, tattoo or other feature)", "Identifying image")
        self.identifying.setToolTip("The image shows a face, a tattoo or another feature that could identify "
                                    "the patient")
        self.identifying.committed.connect(lambda on: self._save_flag("identifying", on))
        # issue 13: the face detector flagged the image on the way in (said in consent_note); the author
        # confirms the consent
        self.consent_image = CheckField("Consent covers this image", "Consent covers this image")
        self.consent_image.setToolTip("The patient's (or next of kin's) consent for publication covers this "
                                      "image, face included; a final export needs it for an image that may "
                                      "show a face")
        self.consent_image.committed.connect(lambda on: self._save_flag("consent_covers_image", on))
        self.in_report = CheckField("In the report", "Include this image in the report")
        self.in_report.committed.connect(lambda on: self._save_flag("in_report", on))
        self.consent_note = hint_label("")
        self.info = hint_label("")
        self.error = FieldError()
        detail = QWidget()
        form = form_layout(detail)
        form.setContentsMargins(SPACING, 0, 0, 0)
        form.addRow(self.preview)
        add_row(form, "Caption", self.caption)
        add_row(form, "Shows", self.link, tip="The lesion, event or imaging study the image belongs to")
        form.addRow("", self.in_report)
        form.addRow("", self.identifying)
        form.addRow("", self.consent_image)
        form.addRow("", self.consent_note)
        form.addRow("", self.error)
        form.addRow("", self.info)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(detail)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # the bar's room is kept: a vertical bar coming and going changed the width, which changed the
        # preview's height and the wrapped notes' height, without end (a crash when the form just fills it)
        scroll.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.detail = scroll
        # no images: a drop zone that says what to do, instead of an empty list and a disabled form
        self.empty = QLabel("No images yet.\n\nAdd image files, or drop them here. Their metadata (EXIF, "
                            "GPS position, camera) is removed and the camera's orientation applied.")
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setAccessibleName("No images yet")
        set_muted(self.empty)
        self.empty_add = QPushButton("Add images…")
        self.empty_add.setAccessibleName("Add images to the case")
        self.empty_add.setToolTip("Add image files (Ctrl+Shift+I)")
        self.empty_add.clicked.connect(self.add_by_dialog)
        self.empty_zone = QFrame()
        self.empty_zone.setObjectName("dropZone")
        self.empty_zone.setStyleSheet("#dropZone { border: 2px dashed palette(mid); border-radius: 8px; }")
        zl = QVBoxLayout(self.empty_zone)
        zl.setContentsMargins(SPACING * 3, SPACING * 3, SPACING * 3, SPACING * 3)
        zl.addStretch(1)
        zl.addWidget(self.empty)
        zl.addSpacing(SPACING)
        zl.addWidget(self.empty_add, 0, Qt.AlignmentFlag.AlignHCenter)
        zl.addStretch(2)

        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(scroll)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)
        split.setSizes([360, 540])
        split.setChildrenCollapsible(False)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(SPACING + 6, SPACING + 2, SPACING + 6, SPACING)
        lay.setSpacing(SPACING - 2)
        lay.addWidget(heading("Figures"))
        lay.addWidget(hint_label("The report numbers the figures in this order; drag in the list or use "
                                 "Move up/down to change it. Images not marked “In the report” are kept but "
                                 "not printed."))
        lay.addWidget(self.empty_zone, 1)
        lay.addWidget(split, 1)
        self.splitter = split

        shortcut(self, "Ctrl+Shift+I", self.add_by_dialog)
        shortcut(self, "Alt+Up", lambda: self.move_selected(-1))
        shortcut(self, "Alt+Down", lambda: self.move_selected(1))
        session.changed.connect(self._changed)
        self.refresh()

    # --- public -------------------------------------------------------------------------------------

    def selected_id(self) -> str | None:
        return self._selected

    def figures(self, figure_id: str | None) -> Figure | None:
        return next((m for m in self.session.case.figures if m.id == figure_id), None)

    def select(self, figure_id: str | None) -> None:
        self._selected = figure_id
        self.refresh()

    def add_images(self, paths) -> list[str]:
        """Take image files into the case (the file dialog's and a drop's path). Returns new ids."""
        added, problems = attach_files(self.session, paths)
        if added:
            self.select(added[-1])
        show_problems(self, problems)
        return added

    def add_by_dialog(self) -> None:
        if self.session.read_only:
            return
        files = ask_image_files(self, "Add images to the case")
        if files:
            self.add_images(files)

    def move_selected(self, step: int) -> bool:
        ids = [m.id for m in self.session.case.figures]
        if self._selected not in ids:
            return False
        pos = ids.index(self._selected) + step
        if not 0 <= pos < len(ids):
            return False
        return self.session.move_figure(self._selected, pos)

    def delete_selected(self, ask: bool = True) -> bool:
        m = self.figures(self._selected)
        if m is None:
            return False
        name = f"“{m.caption}”" if m.caption else "this image"
        if ask and QMessageBox.question(self, "Delete image", f"Delete {name} from the case? "
                                        "(Edit ▸ Undo brings it back.)") != QMessageBox.StandardButton.Yes:
            return False
        ids = [x.id for x in self.session.case.figures]
        pos = ids.index(m.id)
        ok = self.session.delete_figure(m.id)
        rest = self.session.case.figures
        self.select(rest[min(pos, len(rest) - 1)].id if rest else None)
        return ok

    def focus_ref(self, ref: str) -> bool:
        m = re.match(r"^(?:\$\.)?(?:media|figures)(?:/([^/.\[]+)|\[(\d+)\])", ref.strip())
        if not m:
            return False
        figures = self.session.case.figures
        if m.group(1) is not None:
            target = self.figures(m.group(1))
        else:
            n = int(m.group(2))
            target = figures[n] if n < len(figures) else None
        if target is None:
            return False
        self.select(target.id)
        self.caption.setFocus(Qt.FocusReason.OtherFocusReason)
        return True

    # --- drops --------------------------------------------------------------------------------------

    def dragEnterEvent(self, ev) -> None:
        if image_paths(ev.mimeData()) and not self.session.read_only:
            ev.acceptProposedAction()
        else:
            ev.ignore()

    def dragMoveEvent(self, ev) -> None:
        self.dragEnterEvent(ev)

    def dropEvent(self, ev) -> None:
        paths = image_paths(ev.mimeData())
        if not paths:
            ev.ignore()
            return
        ev.acceptProposedAction()
        self.add_images(paths)

    # --- refreshing -----------------------------------------------------------------------------------

    def _changed(self, part: str) -> None:
        if part in ("figures", "lesions", "events", "imaging", "consent", "case"):
            self.refresh()

    def _link_choices(self) -> list[tuple[tuple[str, str] | None, str]]:
        case = self.session.case
        tl = timing.Timeline(case)
        out: list[tuple[tuple[str, str] | None, str]] = [(None, "not linked")]
        for n, les in enumerate(case.lesions, start=1):
            out.append((("lesion", les.id), f"Lesion {n}: {lesion_text(les)}"))
        for ev in case.events:
            out.append((("event", ev.id), f"Event, {event_title(ev, 40)}"))
        for im in case.imaging:
            placed = tl.place(im.when)
            when = f", {timing.describe(placed)}" if placed else ""
            out.append((("imaging", im.id), f"Imaging: {label_of(im.modality)} {im.region}{when}".rstrip()))
        return out

    def _link_text(self, figure: Figure) -> str:
        link = link_of(figure)
        if link is None:
            return "not linked"
        for value, text in self._link_choices():
            if value == link:
                return text
        return f"{link[0]} {link[1]} (missing)"

    def refresh(self) -> None:
        case = self.session.case
        figures = case.figures
        if self._selected is not None and self.figures(self._selected) is None:
            self._selected = None
        if self._selected is None and figures:
            self._selected = figures[0].id
        self._loading = True
        try:
            with QSignalBlocker(self.list):
                self.list.clear()
                fig = 0
                for m in figures:
                    if m.in_report:
                        fig += 1
                    head = f"Figure {fig}" if m.in_report else "Not in the report"
                    marks = " · identifying" if m.identifying else ""
                    if m.may_show_face and not m.consent_covers_image:
                        marks += " · may show a face: consent?"
                    text = f"{head}{marks}\n{m.caption or '(no caption)'}\n{self._link_text(m)}"
                    it = QListWidgetItem(self.thumbs.icon(m), text)
                    it.setData(Qt.ItemDataRole.UserRole, m.id)
                    it.setToolTip(text)
                    it.setFlags(it.flags() | Qt.ItemFlag.ItemIsDragEnabled)
                    self.list.addItem(it)
                    if m.id == self._selected:
                        self.list.setCurrentItem(it)
            has = bool(figures)
            self.empty_zone.setVisible(not has)
            self.splitter.setVisible(has)
            self.empty_add.setEnabled(not self.session.read_only)
            writable = not self.session.read_only
            self.add_button.setEnabled(writable)
            ids = [m.id for m in figures]
            pos = ids.index(self._selected) if self._selected in ids else -1
            self.up_button.setEnabled(writable and pos > 0)
            self.down_button.setEnabled(writable and 0 <= pos < len(ids) - 1)
            self.delete_button.setEnabled(writable and pos >= 0)
            self._fill_detail()
        finally:
            self._loading = False

    def _fill_detail(self) -> None:
        m = self.figures(self._selected)
        self.detail.setEnabled(m is not None)
        if m is None:
            self.preview.set_image(None)
            self.caption.set_text("")
            self.info.setText("")
            self.consent_note.setText("")
            self.consent_image.setVisible(False)
            return
        self.preview.set_image(self.previews.pixmap(m))
        self.caption.set_text(m.caption)
        with QSignalBlocker(self.link):
            self.link.clear()
            for value, text in self._link_choices():
                self.link.addItem(text, value)
            link = link_of(m)
            i = next((n for n in range(self.link.count()) if self.link.itemData(n) == link), -1)
            if i < 0 and link is not None:
                self.link.addItem(f"{link[0]} {link[1]} (missing)", link)
                i = self.link.count() - 1
            self.link.setCurrentIndex(max(0, i))
        self.identifying.set_value(m.identifying)
        self.in_report.set_value(m.in_report)
        consent = self.session.case.consent
        notes = []
        if m.identifying and not (consent.recorded and consent.covers_images):
            notes.append("Marked identifying, and no consent covering images is recorded "
                         "(Manuscript ▸ consent). Publishing it needs that consent.")
        if m.may_show_face and not m.consent_covers_image:
            notes.append("This image may show a face: a final export needs your confirmation that the "
                         "consent for publication covers it.")
        self.consent_note.setText("\n".join(notes))
        self.consent_note.setVisible(bool(notes))
        self.consent_image.set_value(m.consent_covers_image)
        self.consent_image.setVisible(m.may_show_face or m.consent_covers_image)
        kind = {"image/jpeg": "JPEG", "image/png": "PNG"}.get(m.mime, m.mime)
        info = f"{kind}, {m.width_px} × {m.height_px} px; metadata removed on import"
        if m.source:
            info += f". Source: {m.source}"
        self.info.setText(info)

    # --- editing -----------------------------------------------------------------------------------------

    def _current_changed(self, current, _previous) -> None:
        if self._loading or current is None:
            return
        mid = current.data(Qt.ItemDataRole.UserRole)
        if mid != self._selected:
            self.caption.commit()  # a caption being typed belongs to the image it was typed for
            self.select(mid)

    def _rows_moved(self, _parent, start, _end, _dest, row) -> None:
        """A drag in the list moved a row: make the same move in the case."""
        if self._loading:
            return
        ids = [m.id for m in self.session.case.figures]
        if not 0 <= start < len(ids):
            return
        mid = ids[start]
        target = row if row <= start else row - 1  # Qt gives the row before which it was dropped
        self._selected = mid
        if target != start:
            self.session.move_figure(mid, target)
        else:
            self.refresh()

    def _update(self, text: str, **changes) -> bool:
        m = self.figures(self._selected)
        if m is None:
            return False
        new = copy.deepcopy(m)
        for k, v in changes.items():
            setattr(new, k, v)
        if new == m:
            return True
        return self.session.update_figure(new, text=text)

    def _caption_committed(self, text: str) -> None:
        if not self._loading:
            self._update("Edit caption", caption=text.strip())

    def _save_flag(self, attr: str, on: bool) -> None:
        if self._loading:
            return
        words = {"identifying": ("Mark image identifying", "Mark image not identifying"),
                 "in_report": ("Put image in the report", "Leave image out of the report"),
                 "consent_covers_image": ("Confirm consent covers image", "Withdraw consent for image")}[attr]
        self._update(words[0] if on else words[1], **{attr: on})

    def _link_picked(self, i: int) -> None:
        if self._loading:
            return
        value = self.link.itemData(i)
        ids = {"lesion_id": None, "event_id": None, "imaging_id": None}
        if value is not None:
            ids[f"{value[0]}_id"] = value[1]
        self._update("Link image", **ids)
