"""A field for a set of choices from a vocabulary (an event's signs, a biopsy's histological
features): one checkbox per choice, flowing onto as many lines as the column needs. Emits
``committed(list)`` after a user click, in the vocabulary's order; a value the vocabulary does not
offer (from a newer file) is kept, not dropped."""
from __future__ import annotations

from typing import Any, Iterable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QWidget

from .forms import FlowLayout


class ChecksField(QWidget):
    committed = Signal(object)

    def __init__(self, choices: Iterable[tuple[Any, str]], name: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self.setAccessibleName(name)
        self._extra: list = []  # stored values not offered (kept as they are)
        self.boxes: dict[Any, QCheckBox] = {}
        flow = FlowLayout(self, h_spacing=12, v_spacing=2)
        for value, text in choices:
            cb = QCheckBox(text, self)
            cb.setAccessibleName(f"{name}: {text}" if name else text)
            cb.clicked.connect(lambda _on=False: self.committed.emit(self.value()))
            flow.addWidget(cb)
            self.boxes[value] = cb
        first = next(iter(self.boxes.values()), None)
        if first is not None:
            self.setFocusProxy(first)

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        # a form row does not always ask a field for its height at its width: the boxes' lines are
        # claimed as a minimum height, so a narrow column never cuts off the last line of choices
        super().resizeEvent(event)
        need = self.layout().heightForWidth(event.size().width())
        if need > 0 and need != self.minimumHeight():
            self.setMinimumHeight(need)

    def value(self) -> list:
        return [v for v, cb in self.boxes.items() if cb.isChecked()] + list(self._extra)

    def set_value(self, values: list | None) -> None:
        values = list(values or [])
        self._extra = [v for v in values if v not in self.boxes]
        for v, cb in self.boxes.items():
            if cb.isChecked() != (v in values):
                cb.blockSignals(True)
                cb.setChecked(v in values)
                cb.blockSignals(False)

    def box(self, value: Any) -> QCheckBox:
        return self.boxes[value]
