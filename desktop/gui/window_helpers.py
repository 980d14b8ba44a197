"""Small parts of the main window: the banner across the case area, locking a read-only section,
a PHI hit's field path to a section ref, and a few checks."""
from __future__ import annotations

from pathlib import Path

from PySide6 import QtWidgets
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel, QWidget


class Banner(QFrame):
    """A message across the top of the case area: the read-only notice, or a refused edit."""

    def __init__(self, kind: str, parent: QWidget | None = None, closable: bool = True):
        super().__init__(parent)
        self.setObjectName(f"banner_{kind}")
        colours = {"readonly": ("#fff4ce", "#8a6d00"), "error": ("#fde7e9", "#b3261e"),
                   "info": ("#e8f0fe", "#1f5fae")}[kind]
        self.setStyleSheet(f"#banner_{kind} {{ background: {colours[0]}; border: 1px solid {colours[1]};"
                           f" border-radius: 4px; }} #banner_{kind} QLabel {{ color: #202124; }}")
        lay = QtWidgets.QHBoxLayout(self)
        lay.setContentsMargins(10, 6, 6, 6)
        lay.setSpacing(8)
        self.kind = kind
        self.icon = QLabel()  # its picture is drawn when the banner is first shown (most never are)
        size = self.fontMetrics().height()
        self.icon.setFixedSize(size, size)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.label.setAccessibleName({"readonly": "Read-only notice", "error": "Error message",
                                      "info": "Message"}[kind])
        lay.addWidget(self.icon, 0, Qt.AlignmentFlag.AlignTop)
        lay.addWidget(self.label, 1)
        if closable:
            close = QtWidgets.QToolButton()
            close.setText("✕")
            close.setAutoRaise(True)
            close.setToolTip("Dismiss")
            close.setAccessibleName("Dismiss message")
            close.setProperty("readOnlySafe", True)
            close.clicked.connect(self.hide)
            lay.addWidget(close, 0, Qt.AlignmentFlag.AlignTop)
        self.hide()

    def show_message(self, text: str, lead: str = "") -> None:
        if self.icon.pixmap().isNull():
            sp = QtWidgets.QStyle.StandardPixmap
            std = sp.SP_MessageBoxWarning if self.kind == "error" else sp.SP_MessageBoxInformation
            self.icon.setPixmap(self.style().standardIcon(std).pixmap(self.icon.size()))
        self.label.setText(f"<b>{_html(lead)}</b> {_html(text)}" if lead else _html(text))
        self._plain = f"{lead} {text}".strip()
        self.show()

    def text(self) -> str:
        return getattr(self, "_plain", "")


def event_loop_running() -> bool:
    """Whether an event loop runs on this thread (it will deliver a worker's result)."""
    from PySide6.QtCore import QThread
    return QThread.currentThread().loopLevel() > 0


def lock_editing(root: QWidget) -> None:
    """A read-only library: make every editor of a section read-only. Widgets that only navigate can
    opt out with ``setProperty("readOnlySafe", True)``."""
    for w in [root, *root.findChildren(QWidget)]:
        if w.property("readOnlySafe"):
            continue
        if isinstance(w, (QtWidgets.QLineEdit, QtWidgets.QPlainTextEdit, QtWidgets.QTextEdit,
                          QtWidgets.QAbstractSpinBox)):
            w.setReadOnly(True)
        elif isinstance(w, (QtWidgets.QComboBox, QtWidgets.QAbstractButton)):
            w.setEnabled(False)
        elif isinstance(w, QtWidgets.QAbstractItemView):
            w.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
            w.setDragDropMode(QtWidgets.QAbstractItemView.DragDropMode.NoDragDrop)
        w.setAcceptDrops(False)


def field_to_ref(field: str, case=None) -> str:
    """A field path of the PHI scan to a section ref: ``$.labs[3].note`` → ``labs/<id of labs[3]>``,
    ``$.lesions[0].observations[1].note`` → ``lesions/<id>/observations/<id>``,
    ``$.manuscript.discussion`` → ``manuscript.discussion``."""
    import re
    path = field[2:] if field.startswith("$.") else field.lstrip("$")
    tokens = re.findall(r"(\w+)(?:\[(\d+|[^\]]+)\])?", path)
    obj = case
    refs: list[str] = []
    names: list[str] = []
    for name, index in tokens:
        nxt = getattr(obj, name, None) if obj is not None else None
        if index == "":
            if refs:  # a field inside an item with an id: the item is the ref
                break
            names.append(name)
            obj = nxt
            continue
        item = None
        if isinstance(nxt, list):
            if index.isdigit() and int(index) < len(nxt):
                item = nxt[int(index)]
            else:
                item = next((i for i in nxt if getattr(i, "id", None) == index), None)
        item_id = getattr(item, "id", None) if item is not None else (index if not index.isdigit() else None)
        if item_id is None:
            names.append(name)
            break
        prefix = ".".join(names)
        refs.append(f"{prefix + '.' if prefix and not refs else ''}{name}/{item_id}")
        names = []
        obj = item
    if refs:
        return "/".join(refs)
    return ".".join(names) or path


def _html(text: str) -> str:
    import html
    return html.escape(text, quote=False)


def alive(widget: QWidget) -> bool:
    """Whether the widget's Qt object still exists (a queued call may outlive it)."""
    from shiboken6 import isValid
    return isValid(widget)


def path_key(path: Path) -> str:
    """A short key for a library's path in the settings (e.g. its last open case)."""
    try:  # CPython's own SHA-1, without hashlib's OpenSSL (3 ms of start-up); the same digest
        from _sha1 import sha1
    except ImportError:
        from hashlib import sha1
    return sha1(str(Path(path).resolve()).encode("utf-8")).hexdigest()[:16]


PREFERRED_SIZE = (1400, 900)  # the window's first size, on a screen with room for it


def first_size(available_width: int, available_height: int) -> tuple[int, int, bool]:
    """The window's size the first time it opens (later, the size the user left it at), given the
    room the screen leaves (its available geometry, without task bars): (width, height, maximised).
    On a screen too small for the preferred size (a 1366×768 laptop, a 1280×800 screen) the window
    fills the room there is, maximised, rather than running past the screen's edge."""
    w, h = PREFERRED_SIZE
    if available_width >= w and available_height >= h:
        return w, h, False
    return min(w, available_width), min(h, available_height), True

