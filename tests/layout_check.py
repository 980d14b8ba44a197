"""Is every part of every section usable in a given window? Shared by tests/test_gui_layout.py and
the child process it starts at 200 % scale (``python tests/layout_check.py W H`` prints the
problems as JSON; QT_SCALE_FACTOR is read when Qt starts, so 2× needs a process of its own).

A key widget is an editor, a button, a tab bar, a list or table, or a label with an accessible name
(the lab grid's H/L flags) that the section shows. It is usable when:
- horizontally it lies inside every ancestor (no column cut off; nothing needs a sideways scroll);
- vertically it lies inside every ancestor, or inside a scroll area's content (reachable by
  scrolling, when that scroll area can scroll vertically);
- for a tab bar: every tab is in the bar and wide enough for its whole text (no "Pho…", no tab
  pushed behind scroll arrows).
Every tab of every tab widget in a section is opened in turn, so the pages behind tabs are checked
too.
"""
from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import (
    QAbstractButton, QAbstractItemView, QAbstractScrollArea, QAbstractSpinBox, QComboBox,
    QLabel, QLineEdit, QPlainTextEdit, QScrollBar, QTabBar, QTabWidget, QTextEdit, QWidget,
)

SIZES = [(1280, 800), (1366, 768)]
KEY_TYPES = (QAbstractButton, QAbstractSpinBox, QComboBox, QLineEdit, QPlainTextEdit, QTextEdit, QTabBar,
             QAbstractItemView)


def settle(app, seconds: float = 0.05) -> None:
    end = time.monotonic() + seconds
    while True:
        app.processEvents()
        if time.monotonic() >= end:
            return
        time.sleep(0.005)


def _name(w: QWidget) -> str:
    text = w.accessibleName() or (w.text() if hasattr(w, "text") and callable(w.text) else "") or ""
    return f"{type(w).__name__} {text!r}" if text else f"{type(w).__name__} {w.objectName() or hex(id(w))}"


def _is_key(w: QWidget) -> bool:
    if isinstance(w, QScrollBar) or w.parent() is None:
        return False
    if isinstance(w, QAbstractButton) and type(w).__name__ in ("QToolButton",) and isinstance(w.parent(), QTabBar):
        return False  # the tab bar's own scroll arrows
    if isinstance(w, QAbstractButton) and w.parent() is not None and w.parent().objectName().startswith("qt_"):
        return False  # a scroll area's or spin box's own parts
    if isinstance(w, QLineEdit) and isinstance(w.parent(), (QComboBox, QAbstractSpinBox)):
        return False  # the editor inside an editable combo box or a spin box
    p = w.parentWidget()
    while p is not None:
        if isinstance(p, QAbstractItemView):
            return False  # a cell's widget: the view scrolls it into sight
        p = p.parentWidget()
    return isinstance(w, KEY_TYPES) or (isinstance(w, QLabel) and bool(w.accessibleName()))


def _scroll_area_of(viewport: QWidget) -> QAbstractScrollArea | None:
    """The scroll area (not an item view or a text editor) whose viewport this is, or None."""
    area = viewport.parentWidget()
    if viewport.objectName() != "qt_scrollarea_viewport" or not isinstance(area, QAbstractScrollArea):
        return None
    if isinstance(area, (QAbstractItemView, QTextEdit, QPlainTextEdit)):
        return None
    return area


def _clipped(w: QWidget, top: QWidget) -> str | None:
    """Why ``w`` is not usable inside ``top`` (None when it is)."""
    rect = QRect(QPoint(0, 0), w.size())  # in the coordinates of ``child``
    child, parent = w, w.parentWidget()
    while parent is not None and child is not top:
        r = QRect(child.mapTo(parent, rect.topLeft()), rect.size())
        inside = parent.rect()
        sideways = r.left() < inside.left() - 1 or r.right() > inside.right() + 1
        below = r.top() < inside.top() - 1 or r.bottom() > inside.bottom() + 1
        area = _scroll_area_of(parent)
        if area is not None:
            # the content of a scroll area: reachable by scrolling vertically (when it can), never
            # by scrolling sideways
            if sideways:
                return (f"needs a sideways scroll in {type(area).__name__} {area.objectName()!r} "
                        f"(x {r.left()}–{r.right()} of 0–{inside.right()})")
            if below and area.verticalScrollBarPolicy() == Qt.ScrollBarPolicy.ScrollBarAlwaysOff:
                return f"cut off below in {type(area).__name__} that cannot scroll"
            child, parent = area, area.parentWidget()
            rect = QRect(QPoint(0, 0), area.size())
            continue
        if sideways:
            return (f"cut off sideways by {type(parent).__name__} {parent.objectName()!r} "
                    f"(x {r.left()}–{r.right()} of 0–{inside.right()})")
        if below:
            return (f"cut off vertically by {type(parent).__name__} {parent.objectName()!r} "
                    f"(y {r.top()}–{r.bottom()} of 0–{inside.bottom()})")
        rect = r
        child, parent = parent, parent.parentWidget()
    return None


def _tab_problems(bar: QTabBar) -> list[str]:
    out = []
    fm = bar.fontMetrics()
    for i in range(bar.count()):
        if not bar.isTabVisible(i):
            continue
        text = bar.tabText(i).replace("&&", "\0").replace("&", "").replace("\0", "&")
        r = bar.tabRect(i)
        if r.left() < 0 or r.right() > bar.width():
            out.append(f"tab {text!r} is out of sight (behind the tab bar's arrows)")
        elif r.width() < fm.horizontalAdvance(text) + 8:
            out.append(f"tab {text!r} is shortened ({r.width()} px for text of {fm.horizontalAdvance(text)} px)")
    return out


def _visible_keys(page: QWidget, top: QWidget) -> list[QWidget]:
    return [w for w in page.findChildren(QWidget) if _is_key(w) and w.isVisibleTo(top) and w.width() > 0]


def page_problems(page: QWidget, top: QWidget, where: str) -> list[str]:
    out = []
    for w in _visible_keys(page, top):
        why = _clipped(w, top)
        if why:
            out.append(f"{where}: {_name(w)} {why}")
        if isinstance(w, QTabBar):
            out.extend(f"{where}: {p}" for p in _tab_problems(w))
    return out


def section_problems(window, key: str, app) -> list[str]:
    """The section's problems once its layout has settled (text areas fit their text a moment after
    they are filled: a problem seen mid-way is looked at again)."""
    found = _section_problems(window, key, app)
    if found:
        settle(app, 0.4)
        found = _section_problems(window, key, app)
    return found


def _section_problems(window, key: str, app) -> list[str]:
    page = window.show_section(key)
    settle(app)
    where = f"{key} at {window.width()}×{window.height()}"
    out = page_problems(page, window, where)
    for tabs in page.findChildren(QTabWidget):
        if not tabs.isVisibleTo(window):
            continue
        start = tabs.currentIndex()
        for i in range(tabs.count()):
            if i == start or not tabs.isTabEnabled(i):
                continue
            tabs.setCurrentIndex(i)
            settle(app)
            out.extend(page_problems(tabs.widget(i), window, f"{where}, tab {tabs.tabText(i).replace('&', '')!r}"))
        tabs.setCurrentIndex(start)
    return sorted(set(out))


def window_problems(window, app, sizes=SIZES) -> list[str]:
    from desktop.gui import sections
    out = []
    from PySide6.QtCore import Qt
    # the size under test, not the first-run size that fills the (small) offscreen screen
    window.setWindowState(Qt.WindowState.WindowNoState)
    for w, h in sizes:
        window.resize(w, h)
        settle(app, 0.1)
        where = f"window at {w}×{h}"
        out.extend(page_problems(window.case_list, window, f"case list, {where}"))
        out.extend(page_problems(window.assessment, window, f"assessment, {where}"))
        for spec in sections.SECTIONS:
            out.extend(section_problems(window, spec.key, app))
    return out


def main(argv: list[str]) -> int:
    """In a process of its own (QT_SCALE_FACTOR set by the caller): the demo case's window at each
    size given as W H pairs; prints {"scale": …, "problems": [...]} as JSON."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QSettings
    tmp = Path(tempfile.mkdtemp(prefix="casebook-layout-"))
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp / "settings"))
    from desktop.demo import load_demo
    from desktop.gui.app import create_application
    from desktop.gui.main_window import MainWindow
    from desktop.store.library import create_library
    app = create_application(["layout-check"])
    lib = create_library(tmp / "lib.casebook")
    lib.add_case(load_demo())
    window = MainWindow(lib)
    window.show()
    nums = [int(a) for a in argv]
    sizes = list(zip(nums[::2], nums[1::2])) or SIZES
    problems = window_problems(window, app, sizes)
    scale = window.devicePixelRatio()
    window.close()
    print(json.dumps({"scale": scale, "problems": problems}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
