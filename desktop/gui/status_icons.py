"""Icons of a finding's severity and of a journal rule's status: a shape per kind (octagon,
triangle, circle, ring, tick) so that colour is never the only cue."""
from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QIcon, QPainter, QPainterPath, QPen, QPixmap, QPolygonF

SEVERITIES = ("critical", "warning", "notice", "info")  # as desktop.core.types.SEVERITY_ORDER
SEVERITY_LABEL = {"critical": "Critical", "warning": "Warning", "notice": "Notice", "info": "Info"}
SEVERITY_COLOUR = {"critical": "#b3261e", "warning": "#a15c00", "notice": "#1f5fae", "info": "#5f6368"}
PASS_COLOUR = "#1e7b34"


def severity_icon(severity: str, size: int = 16) -> QIcon:
    """A shape per severity (octagon, triangle, circle, small dot) so colour is never the only cue."""
    colour = QColor(SEVERITY_COLOUR.get(severity, "#5f6368"))
    icon = QIcon()
    for scale in (1, 2):
        px = QPixmap(size * scale, size * scale)
        px.setDevicePixelRatio(scale)
        px.fill(Qt.GlobalColor.transparent)
        p = QPainter(px)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QBrush(colour))
        s = float(size)
        if severity == "critical":
            k = s * 0.29
            pts = [QPointF(k, 0.5), QPointF(s - k, 0.5), QPointF(s - 0.5, k), QPointF(s - 0.5, s - k),
                   QPointF(s - k, s - 0.5), QPointF(k, s - 0.5), QPointF(0.5, s - k), QPointF(0.5, k)]
            p.drawPolygon(QPolygonF(pts))
            glyph = "!"
        elif severity == "warning":
            path = QPainterPath()
            path.moveTo(s / 2, 0.5)
            path.lineTo(s - 0.5, s - 1)
            path.lineTo(0.5, s - 1)
            path.closeSubpath()
            p.drawPath(path)
            glyph = "!"
        elif severity == "notice":
            p.drawEllipse(QRectF(0.5, 0.5, s - 1, s - 1))
            glyph = "i"
        else:
            p.setPen(QPen(colour, 1.5))
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawEllipse(QRectF(1.5, 1.5, s - 3, s - 3))
            glyph = "i"
        f = QFont()
        f.setPixelSize(int(s * 0.68))
        f.setBold(True)
        p.setFont(f)
        p.setPen(QColor("white") if severity != "info" else colour)
        rect = QRectF(0, s * 0.12 if severity == "warning" else 0, s, s)
        p.drawText(rect, Qt.AlignmentFlag.AlignCenter, glyph)
        p.end()
        icon.addPixmap(px)
    return icon


def pass_icon(size: int = 16) -> QIcon:
    """A green circle with a tick: a met rule (the word "Pass" stands beside it too)."""
    icon = QIcon()
    for scale in (1, 2):
        px = QPixmap(size * scale, size * scale)
        px.setDevicePixelRatio(scale)
        px.fill(Qt.GlobalColor.transparent)
        p = QPainter(px)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        s = float(size)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QBrush(QColor(PASS_COLOUR)))
        p.drawEllipse(QRectF(0.5, 0.5, s - 1, s - 1))
        p.setPen(QPen(QColor("white"), s / 8))
        p.drawPolyline([QPointF(x * s, y * s) for x, y in ((0.27, 0.52), (0.44, 0.69), (0.74, 0.33))])
        p.end()
        icon.addPixmap(px)
    return icon


def status_icon(status: str) -> QIcon:
    return pass_icon() if status == "pass" else severity_icon("critical" if status == "fail" else "warning")
