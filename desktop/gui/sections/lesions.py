"""Lesions: the body map beside the list of lesions, and the selected lesion's details, observations,
photos and a chart of its area and PUSH 3.0 total over time.

Clicking a region of the body map (or choosing a site with the keyboard site picker) selects the
lesion already recorded at that site and side, or records a new one there; laterality is always the
patient's. Markers carry the lesion's number in the list.

Observations keep what the source says (sizes in mm, morphology, tissue, exudate, pain, the six
verified BWAT-CUA items — never a BWAT total, domain file §6). Area and PUSH 3.0 are the assessment
core's derived values, shown read-only; nothing is recomputed here.

The Observations tab (its table, form and saving) is in :mod:`.lesion_observations`; a lesion's site
in words in :mod:`.lesion_sites`.
"""
from __future__ import annotations

import re
from typing import Any

from PySide6.QtCore import QSignalBlocker, Qt
from PySide6.QtWidgets import (
    QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QMessageBox, QPushButton, QSplitter, QTabWidget,
    QVBoxLayout, QWidget,
)

from ... import bodymap, catalogue
from ...core import assess
from ...model import Laterality, Lesion, LesionNature
from ..binding import commit_field
from ..bodymap_widget import NO_SITE, BodyMapWidget, SitePicker, site_entries
from ..charts import ChartPoint, ChartSeries, ChartSpec, TrendChart
from ..fields import ChoiceCombo, LineField, NumberField, TextArea, TriStateCombo, shrinkable
from ..formatting import choices_of
from ..forms import SPACING, FieldError, add_row, form_layout, heading, hint_label, shortcut, vertical_scroll
from ..photos import PhotoStrip, ThumbnailCache, image_paths, show_problems
from ..when_editor import WhenEditor
from .lesion_observations import PUSH_MAX, ObservationsTab
from .lesion_sites import laterality_for, lesion_text

class LesionPanel(QWidget):
    """The selected lesion's tabs; takes image files dropped anywhere on it as photos of the lesion."""

    def __init__(self, section: "LesionsSection"):
        super().__init__()
        self.section = section
        self.setAcceptDrops(True)

    def dragEnterEvent(self, ev) -> None:
        if self.section.selected_lesion_id() and image_paths(ev.mimeData()) and not self.section.session.read_only:
            ev.acceptProposedAction()
        else:
            ev.ignore()

    def dragMoveEvent(self, ev) -> None:
        self.dragEnterEvent(ev)

    def dropEvent(self, ev) -> None:
        paths = image_paths(ev.mimeData())
        if not paths or not self.section.selected_lesion_id():
            ev.ignore()
            return
        ev.acceptProposedAction()
        self.section.attach_photos(paths)


class LesionsSection(ObservationsTab, QWidget):
    def __init__(self, session, parent=None):
        super().__init__(parent)
        self.session = session
        self._lesion_id: str | None = None
        self._obs_id: str | None = None
        self._derived: list | None = None
        self._loading = False

        # --- left: body map, site picker, the list ---------------------------------------------------
        self.bodymap = BodyMapWidget()
        self.bodymap.regionClicked.connect(self.map_clicked)
        self.bodymap.lesionClicked.connect(self.select_lesion)
        # every view of the map (Front … Genitalia) in sight, never behind scroll arrows
        self.bodymap.tabs.setElideMode(Qt.TextElideMode.ElideNone)
        self.bodymap.tabs.setUsesScrollButtons(False)
        self.picker = SitePicker()
        self.picker.regionClicked.connect(self.choose_site)
        # let the picker's site box shrink with the column (its list shows the full names)
        self.picker.site_box.setSizeAdjustPolicy(self.picker.site_box.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.picker.site_box.setMinimumContentsLength(10)
        self.list = QListWidget()
        self.list.setAccessibleName("Lesions, numbered as on the body map")
        self.list.setMaximumHeight(self.fontMetrics().lineSpacing() * 9)
        self.list.currentItemChanged.connect(self._list_changed)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.delete_button = QPushButton("Delete lesion…")
        self.delete_button.setAccessibleName("Delete the selected lesion")
        self.delete_button.clicked.connect(lambda: self.delete_selected())
        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.setSpacing(6)
        ll.addWidget(self.bodymap, 1)
        ll.addWidget(hint_label("Click a region to record a lesion there, or to select the one recorded. "
                                "Sides are the patient's; a thigh or lower leg is recorded without its "
                                "aspect, which you choose under Site when the source gives it."))
        lh = QHBoxLayout()
        lab = QLabel("<b>Lesions</b>")
        lh.addWidget(lab)
        lh.addStretch(1)
        lh.addWidget(self.delete_button)
        ll.addLayout(lh)
        ll.addWidget(self.list)

        # --- right: the selected lesion --------------------------------------------------------------
        self.title = heading("Lesions", elide=True)
        self.empty = hint_label("")
        self.panel = LesionPanel(self)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.setAccessibleName("Lesion details")
        # every tab in sight with its whole name (a narrow window once showed "Pho…" and hid Chart):
        # the tab bar's width is the panel's minimum, the body map column gives way first
        self.tabs.tabBar().setElideMode(Qt.TextElideMode.ElideNone)
        self.tabs.setUsesScrollButtons(False)
        self.tabs.addTab(self._build_details(), "&Details")
        self.tabs.addTab(self._build_observations(), "&Observations")
        self.cache = ThumbnailCache(session)
        self.photos = PhotoStrip(session, self.cache)
        self.photos.problems.connect(lambda msgs: show_problems(self, msgs))
        photos_page = QWidget()
        pl = QVBoxLayout(photos_page)
        pl.setContentsMargins(SPACING, SPACING, SPACING, SPACING)
        pl.addWidget(self.photos)
        pl.addWidget(hint_label("Drop image files anywhere on this panel to attach them to the lesion. "
                                "Captions, order and the report's figures: the Figures section."))
        pl.addStretch(1)
        self.tabs.addTab(photos_page, "&Figures")
        self.chart = TrendChart("Area and PUSH 3.0 over time")
        chart_page = QWidget()
        cl = QVBoxLayout(chart_page)
        cl.setContentsMargins(SPACING, SPACING, SPACING, SPACING)
        cl.addWidget(self.chart, 1)
        cl.addWidget(hint_label("Area = length × width in cm² (PUSH 3.0 convention), from each observation's "
                                f"sizes in mm; PUSH 3.0 total 0–{PUSH_MAX}, 0 = healed (NPUAP). Open markers: "
                                "approximate times. Values come from the assessment core."))
        self.tabs.addTab(chart_page, "C&hart")
        self._chart_dirty = True
        self.tabs.currentChanged.connect(lambda _i: self._chart_dirty and self._fill_chart())
        pv = QVBoxLayout(self.panel)
        pv.setContentsMargins(0, 0, 0, 0)
        pv.setSpacing(6)
        pv.addWidget(self.title)
        pv.addWidget(self.empty, 1, Qt.AlignmentFlag.AlignTop)  # under the title, not halfway down
        pv.addWidget(self.tabs, 1)

        # the body map takes a narrow column (the figures are tall), the selected lesion the rest
        em = self.fontMetrics().averageCharWidth()
        left.setMaximumWidth(em * 56)
        map_width = self.bodymap.tabs.sizeHint().width() + 2  # every view's tab in sight
        self.bodymap.setMinimumWidth(map_width)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(self.panel)
        split.setStretchFactor(0, 0)
        split.setStretchFactor(1, 1)
        split.setChildrenCollapsible(False)
        split.setSizes([map_width, em * 66])
        self.splitter = split
        lay = QVBoxLayout(self)
        lay.setContentsMargins(SPACING + 6, SPACING + 2, SPACING + 6, SPACING)
        lay.setSpacing(SPACING - 2)
        lay.addWidget(self.picker)
        lay.addWidget(split, 1)

        self.tabs.tabBar().setAccessibleName("Lesion details: tabs")
        # Tab: the site picker, the map and its views, the list (then its Delete), the lesion's tabs
        chain = [self.picker.site_box, self.picker.side_box, self.picker.button, self.bodymap, self.bodymap.tabs,
                 self.list, self.delete_button, self.tabs.tabBar()]
        for a, b in zip(chain, chain[1:]):
            QWidget.setTabOrder(a, b)

        shortcut(self, "Ctrl+Shift+O", self.add_observation)
        shortcut(self, "Ctrl+Shift+P", self.photos.attach_by_dialog)
        session.changed.connect(self._changed)
        self.refresh()

    # --- building ---------------------------------------------------------------------------------------

    def _build_details(self) -> QWidget:
        page = QWidget()
        form = form_layout(page)
        form.setContentsMargins(SPACING, SPACING, SPACING, SPACING)
        form.setRowWrapPolicy(form.RowWrapPolicy.WrapLongRows)  # a narrow panel puts labels above
        self.error = FieldError()
        # fine sites and regions given without their part, and none at all
        self.site = ChoiceCombo([(NO_SITE[0], "site not recorded"), *site_entries()], "Site")
        shrinkable(self.site)
        # the words of the body map's side picker, the lesion list and the manuscript ("both sides")
        sides = {"unspecified": "not stated", "bilateral": "both sides"}
        self.laterality = ChoiceCombo([(v, sides.get(v, t)) for v, t in choices_of(Laterality)],
                                      "Side (the patient's)")
        self.site_detail = LineField("Site detail", placeholder='e.g. "distal", "several finger pads"')
        self.count = NumberField("Count", integer=True)
        self.count.setToolTip("How many lesions this entry stands for, when the source groups them")
        self.onset = WhenEditor("Onset", role="lesions.onset")
        self.onset.event.setMinimumContentsLength(12)
        self.cause = LineField("Cause", placeholder="e.g. finger-stick glucose sampling")
        self.iatrogenic = TriStateCombo("Iatrogenic")
        self.description = TextArea("Description", lines=4)
        # a calciphylaxis lesion, or another finding the source describes (only the first drives the
        # site and tier rules)
        self.nature = ChoiceCombo(choices_of(LesionNature), "What the lesion is")
        self.fields: dict[str, QWidget] = {
            "nature": self.nature,
            "site": self.site, "laterality": self.laterality, "site_detail": self.site_detail,
            "count": self.count, "onset": self.onset, "cause": self.cause, "iatrogenic": self.iatrogenic,
            "description": self.description,
        }
        add_row(form, "Site", self.site)
        add_row(form, "Side", self.laterality, tip="The patient's left or right")
        add_row(form, "Site detail", self.site_detail)
        add_row(form, "Count", self.count, "lesions")
        add_row(form, "Onset", self.onset)
        add_row(form, "Cause", self.cause)
        add_row(form, "Iatrogenic", self.iatrogenic, tip="Caused by care, e.g. at finger-stick sampling points")
        add_row(form, "Description", self.description)
        add_row(form, "Nature", self.nature, tip="Only calciphylaxis lesions count for the site and tier rules")
        form.addRow("", self.error)
        labels = {"nature": "Nature", "site": "Site", "laterality": "Side", "site_detail": "Site detail", "count": "Count",
                  "onset": "Onset", "cause": "Cause", "iatrogenic": "Iatrogenic", "description": "Description"}
        for attr, w in self.fields.items():
            w.committed.connect(lambda v, a=attr, l=labels[attr], ww=w: self._save_lesion_field(a, v, l, ww))
        self.count.rejected.connect(self.error.show_message)
        self.count.corrected.connect(self.error.clear)
        return vertical_scroll(page)

    # --- public -------------------------------------------------------------------------------------------

    def selected_lesion_id(self) -> str | None:
        return self._lesion_id

    def lesion(self) -> Lesion | None:
        return self.session.case.lesion(self._lesion_id)

    def map_clicked(self, site: str, laterality: str) -> str | None:
        """A click on the body map. On a thigh or a lower leg it records the limb without its aspect
        ("lower leg, aspect not stated"): the view shows one side of it, and published reports
        mostly do not say which (resources/catalogues/sites.json, 'map_click'); the aspect is chosen
        under Site. A lesion already recorded at the aspect clicked is selected."""
        lat = laterality_for(site, laterality) if site else "unspecified"
        coarse = catalogue.map_click_sites().get(site)
        if coarse is not None and not any(l.site == site and l.laterality == lat for l in self.session.case.lesions):
            site = coarse
        return self.choose_site(site, laterality)

    def choose_site(self, site: str, laterality: str) -> str | None:
        """A body-map click or a site picked: select the lesion at that site and side, or record a new
        one there. Returns the lesion's id."""
        lat = laterality_for(site, laterality) if site else "unspecified"
        # a place on the map is one lesion; lesions whose site the source does not give are as many
        # as the author records ("site not recorded" makes a new one each time)
        found = next((l for l in self.session.case.lesions if l.site == site and l.laterality == lat), None) if site else None
        if found is not None:
            self.select_lesion(found.id)
            return found.id
        if self.session.read_only:
            return None
        lesion = Lesion(site=site, laterality=lat)
        self._lesion_id = lesion.id  # select it as soon as the list shows it
        self._obs_id = None
        if not self.session.save_item("lesions", lesion, text=f"Add lesion: {lesion_text(lesion)}"):
            self._lesion_id = None
            self.refresh()
            return None
        self.tabs.setCurrentIndex(0)
        return lesion.id

    def select_lesion(self, lesion_id: str | None) -> None:
        if lesion_id == self._lesion_id and lesion_id is not None:
            self._ensure_visible_on_map()
            return
        self._lesion_id = lesion_id
        les = self.lesion()
        self._obs_id = les.observations[0].id if les and les.observations else None
        self.refresh()
        self._ensure_visible_on_map()

    def delete_selected(self, confirm: bool = True) -> None:
        """Delete the selected lesion (asks first). Its photos stay in the case, unlinked; biopsies
        that named it no longer do. One undo step brings everything back."""
        les = self.lesion()
        if les is None:
            return
        photos = [m for m in self.session.case.figures if m.lesion_id == les.id]
        biopsies = [b for b in self.session.case.biopsies if b.lesion_id == les.id]
        extra = []
        if photos:
            extra.append("its photo stays in Figures, no longer linked" if len(photos) == 1 else
                         f"its {len(photos)} photos stay in Figures, no longer linked")
        if biopsies:
            extra.append(f"{len(biopsies)} biops{'ies' if len(biopsies) > 1 else 'y'} will no longer name it")
        text = f"Delete lesion {self._number(les.id)}, {lesion_text(les)}, with its {len(les.observations)} " \
               f"observation{'s' if len(les.observations) != 1 else ''}?"
        if extra:
            text += " (" + "; ".join(extra) + ".)"
        if confirm and QMessageBox.question(self, "Delete lesion", text + "\n\nEdit ▸ Undo brings it back.") \
                != QMessageBox.StandardButton.Yes:
            return
        pos = [l.id for l in self.session.case.lesions].index(les.id)
        self.session.delete_lesion(les.id, f"Delete lesion: {lesion_text(les)}")
        rest = self.session.case.lesions
        self.select_lesion(rest[min(pos, len(rest) - 1)].id if rest else None)

    def attach_photos(self, paths) -> list[str]:
        """Attach image files (from the file dialog or a drop) to the selected lesion: metadata is
        stripped and the EXIF orientation applied. Returns the new figure ids."""
        added = self.photos.attach_paths(paths)
        if added:
            self.tabs.setCurrentIndex(2)
        return added

    def focus_ref(self, ref: str) -> bool:
        ref = ref.strip()
        m = re.match(r"^(?:\$\.)?lesions(?:/([^/.\[]+)|\[(\d+)\])(?:(?:/observations/|\.observations\[)([^/.\]]+)\]?)?(?:\.(\w+))?",
                     ref)
        if not m:
            return False
        lesions = self.session.case.lesions
        if m.group(1) is not None:
            les = self.session.case.lesion(m.group(1))
        else:
            n = int(m.group(2))
            les = lesions[n] if n < len(lesions) else None
        if les is None:
            return False
        self.select_lesion(les.id)
        obs_key, attr = m.group(3), m.group(4)
        if obs_key is not None:
            ob = next((o for o in les.observations if o.id == obs_key), None)
            if ob is None and obs_key.isdigit() and int(obs_key) < len(les.observations):
                ob = les.observations[int(obs_key)]
            if ob is None:
                return True
            self.tabs.setCurrentIndex(1)
            self.select_observation(ob.id)
            self.obs_scroll.ensureWidgetVisible(self.obs_box)
            return True
        self.tabs.setCurrentIndex(0)
        w = self.fields.get(attr or "")
        if w is not None:
            w.setFocus(Qt.FocusReason.OtherFocusReason)
        return True

    # --- refreshing ---------------------------------------------------------------------------------

    def _changed(self, part: str) -> None:
        if part in ("lesions", "events", "case", "figures", "patient", "biopsies"):
            if part != "figures":
                self._derived = None
            if part == "figures":
                self.photos.refresh()
                self.tabs.setTabText(2, f"&Figures ({len(self.photos.photos())})")
                return
            self.refresh()

    def derived_values(self) -> list:
        """The assessment core's derived values (computed once per change of the case)."""
        if self._derived is None:
            self._derived = assess(self.session.case).derived
        return self._derived

    def _number(self, lesion_id: str) -> int:
        ids = [l.id for l in self.session.case.lesions]
        return ids.index(lesion_id) + 1 if lesion_id in ids else 0

    def refresh(self) -> None:
        case = self.session.case
        if self._lesion_id is not None and case.lesion(self._lesion_id) is None:
            self._lesion_id = None
        if self._lesion_id is None and case.lesions:
            self._lesion_id = case.lesions[0].id
        self.bodymap.set_sex(case.patient.sex)
        self.bodymap.set_lesions([(n, l.site, l.laterality, l.id) for n, l in enumerate(case.lesions, start=1)])
        self.bodymap.set_selected(self._lesion_id)
        if self._lesion_id != getattr(self, "_shown_on_map", None):
            self._shown_on_map = self._lesion_id
            self._ensure_visible_on_map()
        with QSignalBlocker(self.list):
            self.list.clear()
            for n, l in enumerate(case.lesions, start=1):
                it = QListWidgetItem(f"{n}   {lesion_text(l)}" + (f" — {l.site_detail}" if l.site_detail else ""))
                it.setData(Qt.ItemDataRole.UserRole, l.id)
                it.setToolTip(f"{n}: {lesion_text(l)}" + (f" — {l.site_detail}" if l.site_detail else "")
                              + (f"\n{l.description}" if l.description else ""))
                self.list.addItem(it)
                if l.id == self._lesion_id:
                    self.list.setCurrentItem(it)
        self.delete_button.setEnabled(self._lesion_id is not None and not self.session.read_only)
        self._fill_lesion()

    def _fill_lesion(self) -> None:
        les = self.lesion()
        self.tabs.setVisible(les is not None)
        self.empty.setVisible(les is None)
        if les is None:
            self.title.setText("Lesions")
            self.empty.setText(
                "No lesions yet. Click the body map where a lesion is — or type its site above (e.g. “index "
                "finger pad”), pick the side and press Choose site — to record it. Each lesion is numbered on "
                "the map and in the list; its observations, photos and chart open here."
                if not self.session.case.lesions else "No lesion selected: click one on the body map or in the list.")
            self.photos.set_lesion(None)
            return
        self._loading = True
        try:
            self.title.setText(f"Lesion {self._number(les.id)}: {lesion_text(les)}")
            self.site.set_value(les.site)  # "" is "site not recorded"
            self.laterality.set_value(les.laterality)
            self.site_detail.set_text(les.site_detail)
            self.count.set_value(les.count)
            self.onset.set_when(les.onset, self.session.case)
            self.cause.set_text(les.cause)
            self.iatrogenic.set_value(les.iatrogenic)
            self.description.set_text(les.description)
            self.nature.set_value(les.nature)
            if self._obs_id is not None and all(o.id != self._obs_id for o in les.observations):
                self._obs_id = les.observations[-1].id if les.observations else None
            elif self._obs_id is None and les.observations:
                self._obs_id = les.observations[0].id  # open on something to read
            self.obs_table.set_items(les.observations)
            if self._obs_id is not None:
                self.obs_table.select(self._obs_id, emit=False)
            n = len(les.observations)
            self.tabs.setTabText(1, f"&Observations ({n})")
            self.photos.set_lesion(les.id)
            self.tabs.setTabText(2, f"&Figures ({len(self.photos.photos())})")
        finally:
            self._loading = False
        self._fill_observation()
        self._fill_chart(lazy=True)

    # --- the chart (the core's derived values) ---------------------------------------------------------

    def _fill_chart(self, lazy: bool = False) -> None:
        """Redraw the chart; with ``lazy`` only when it is on screen (else when its tab is opened)."""
        if lazy and self.tabs.currentWidget() is not self.chart.parentWidget():
            self._chart_dirty = True
            return
        self._chart_dirty = False
        les = self.lesion()
        if les is None:
            return
        prefix = f"lesions/{les.id}/observations/"
        area, push = [], []
        for d in self.derived_values():
            if not d.ref.startswith(prefix) or d.day is None:
                continue
            approx = "approximate" in d.time
            if d.kind == "lesion_area":
                area.append(ChartPoint(d.day, d.value, approx))
            elif d.kind == "push_total":
                push.append(ChartPoint(d.day, d.value, approx))
        n_obs = len(les.observations)
        note = ""
        if n_obs and len(area) < n_obs:
            note = f"{n_obs - len(area)} of {n_obs} observations not drawn: no sizes, or no place on the day axis"
        self.chart.show_spec(ChartSpec(
            [ChartSeries("Area, length × width (cm²)", area),
             ChartSeries(f"PUSH 3.0 total (points, 0–{PUSH_MAX})", push, axis="right", color="#c0504d", dashed=True)],
            left_title="Area (cm²)", right_title=f"PUSH 3.0 total (0–{PUSH_MAX})", left_min=0.0, right_min=0.0,
            right_max=float(PUSH_MAX), note=note,
            empty_text="Nothing to draw yet: give this lesion's observations a time, and its length and "
                       "width in mm (or the PUSH 3.0 inputs) on the Observations tab."))

    # --- saving ---------------------------------------------------------------------------------------

    def _save_lesion_field(self, attr: str, value: Any, label: str, widget: QWidget) -> None:
        if self._loading or self._lesion_id is None:
            return
        if attr == "site" and value is None:
            return
        commit_field(self.session, "lesions", attr, value, item_id=self._lesion_id, label=label,
                     error=self.error, widget=widget)

    # --- events -----------------------------------------------------------------------------------------

    def _list_changed(self, current, _previous) -> None:
        if current is not None:
            self.select_lesion(current.data(Qt.ItemDataRole.UserRole))

    def _ensure_visible_on_map(self) -> None:
        les = self.lesion()
        if les is None or not les.site:
            return
        views = [v.name for v, _ in bodymap.region_for(les.site, les.laterality)]
        if views and self.bodymap.current_view() not in views:
            self.bodymap.set_view(views[0])
