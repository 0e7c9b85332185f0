"""The region editor: drawing the region to inspect and ignore strokes on a reference good image, saving it
in the project (the model becomes stale), Cancel changing nothing."""

from __future__ import annotations

import numpy as np
from app_helpers import texture, write_png
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from inspector.app.region_editor import RegionEditor


def widget_point(canvas, x, y) -> QPoint:
    p = canvas.to_widget(x, y)
    return QPoint(round(p.x()), round(p.y()))


def test_drawing_with_the_mouse(qtbot):
    rgb = np.zeros((100, 200, 3), np.uint8)
    editor = RegionEditor(rgb)
    qtbot.addWidget(editor)
    editor.show()
    c = editor.canvas
    assert editor.mask() is None  # nothing drawn: the whole image
    # rectangle: press, drag, release
    QTest.mousePress(c, Qt.LeftButton, Qt.NoModifier, widget_point(c, 20, 10))
    QTest.mouseMove(c, widget_point(c, 100, 50))
    QTest.mouseRelease(c, Qt.LeftButton, Qt.NoModifier, widget_point(c, 120, 60))
    m = editor.mask()
    assert m.shape == (100, 200)
    ys, xs = np.nonzero(m)
    assert abs(xs.min() - 20) <= 2 and abs(xs.max() - 119) <= 2 and abs(ys.min() - 10) <= 2 and abs(ys.max() - 59) <= 2
    assert "% of the image is inspected" in editor.summary.text()
    # polygon: click three corners, double-click the last
    editor.tool_buttons["polygon"].click()
    for x, y in ((150, 10), (190, 10)):
        QTest.mouseClick(c, Qt.LeftButton, Qt.NoModifier, widget_point(c, x, y))
    QTest.mouseClick(c, Qt.LeftButton, Qt.NoModifier, widget_point(c, 190, 90))
    QTest.mouseDClick(c, Qt.LeftButton, Qt.NoModifier, widget_point(c, 190, 90))
    m = editor.mask()
    assert m[20, 185] and not m[80, 155] and not m[30, 50]  # the triangle replaced the rectangle
    # ignore brush inside the region, then the eraser restores half of it
    editor.tool_buttons["brush"].click()
    editor.brush_slider.setValue(10)
    QTest.mousePress(c, Qt.LeftButton, Qt.NoModifier, widget_point(c, 170, 20))
    QTest.mouseMove(c, widget_point(c, 185, 20))
    QTest.mouseRelease(c, Qt.LeftButton, Qt.NoModifier, widget_point(c, 185, 20))
    m = editor.mask()
    assert not m[20, 175] and m[60, 185]
    editor.tool_buttons["eraser"].click()
    QTest.mouseClick(c, Qt.LeftButton, Qt.NoModifier, widget_point(c, 180, 20))
    assert editor.mask()[20, 180] and not editor.mask()[20, 172]
    editor.whole_button.click()
    assert editor.mask() is None


def test_region_saved_from_the_project_menu(qtbot, window, small_settings, tmp_path):
    for i in range(3):
        write_png(tmp_path / "good" / f"g{i}.png", np.ascontiguousarray(texture(i, 128)[:96]))
    window.create_project("Regions", tmp_path / "proj", small_settings())
    project = window.state.project
    project.add_images([tmp_path / "good"])
    window.state.training_changed()
    h, w = project.images(("train",))[0].height, project.images(("train",))[0].width
    # Cancel loses nothing
    window.region_action.trigger()
    editor = window.region_editor
    editor.canvas.draw_rectangle(0, 0, w // 2, h)
    editor.reject()
    assert project.region() is None
    assert not window.results.heatmap._region_contours
    # draw, brush an ignore spot, OK: saved at the image's size, the model state refreshed
    changed = []
    window.state.modelChanged.connect(lambda: changed.append(True))
    window.region_action.trigger()
    editor = window.region_editor
    editor.canvas.draw_rectangle(0, 0, w // 2, h)
    editor.canvas.brush_size = 6
    editor.canvas.paint_stroke(10, 10, 10, 10)
    editor.buttons.button(editor.buttons.StandardButton.Ok).click()
    region = project.region()
    assert region is not None and region.shape == (h, w)
    assert region[h // 2, w // 4] and not region[h // 2, w - 5] and not region[10, 10]
    assert changed and project.region_file().name == "v1.png"
    assert "Region saved" in window.message_bar.label.text()
    assert window.results.heatmap._region_contours and window.review.heatmap._region_contours  # outlined
    # reopening shows the saved region; Whole image + OK goes back to no region
    window.region_action.trigger()
    editor = window.region_editor
    assert not editor.mask()[h // 2, w - 5]
    editor.whole_button.click()
    editor.accept()
    assert project.region() is None
    assert not window.results.heatmap._region_contours



def test_heatmap_outlines_the_region_scaled_to_the_image(qtbot, tmp_path):
    from inspector.app.heatmap_view import HeatmapView
    from inspector.core.io.geometry import Geometry

    view = HeatmapView()
    qtbot.addWidget(view)
    rgb = np.full((100, 200, 3), 128, np.uint8)
    write_png(tmp_path / "part.png", rgb)
    region = np.zeros((50, 100), bool)  # half the image's size
    region[10:40, 20:60] = True
    view.set_region(region)
    view.show_result(tmp_path / "part.png", np.zeros((100, 200), np.float32), Geometry(kind="whole"), 1.0,
                     "pass", None, "part")
    xs, ys = view.region_points()
    xs, ys = xs[np.isfinite(xs)], ys[np.isfinite(ys)]
    # the mask's rectangle [20, 60) x [10, 40) at twice the size: x 40..120, y 20..80 (within a pixel)
    assert abs(xs.min() - 40) <= 2 and abs(xs.max() - 120) <= 2 and abs(ys.min() - 20) <= 2 and abs(ys.max() - 80) <= 2
    assert view.region_outline.xData is not None and len(view.region_outline.xData) == len(view.region_points()[0])
    view.set_region(None)
    assert view.region_points()[0].size == 0 and (view.region_outline.xData is None or view.region_outline.xData.size == 0)


def test_settings_dialog_gives_the_smallest_defect_for_the_projects_images(qtbot, window, small_settings, tmp_path,
                                                                          monkeypatch):
    from PySide6.QtWidgets import QDialog

    from inspector.app import project_dialogs

    monkeypatch.setattr("inspector.app.settings_form._backbone_picker", lambda: None)
    write_png(tmp_path / "good" / "wide.png", np.ascontiguousarray(texture(1, 128)[:40]))
    window.create_project("Sizes", tmp_path / "proj", small_settings())
    window.state.project.add_images([tmp_path / "good"])
    seen = []

    def fake_exec(dialog):
        seen.append(dialog.form.geometry.footprint.text())
        return QDialog.Rejected

    monkeypatch.setattr(project_dialogs.SettingsDialog, "exec", fake_exec)
    window.settings_dialog()
    assert seen and "in a 128x40 image" in seen[0]


def test_a_large_image_is_edited_at_a_smaller_size_and_saved_at_its_own(qtbot):
    from inspector.app.region_editor import MAX_EDIT_SIDE

    editor = RegionEditor(np.zeros((3000, 4000, 3), np.uint8))
    qtbot.addWidget(editor)
    c = editor.canvas
    assert max(c.work_hw) == MAX_EDIT_SIDE and c.size_hw == (3000, 4000)
    c.draw_rectangle(1000, 500, 3000, 2500)  # image pixels
    c.brush_size = 100
    c.paint_stroke(2000, 1500, 2000, 1500)
    m = editor.mask()
    assert m.shape == (3000, 4000)
    ys, xs = np.nonzero(m)
    assert abs(xs.min() - 1000) <= 3 and abs(xs.max() - 2999) <= 3 and abs(ys.min() - 500) <= 3
    assert abs(ys.max() - 2499) <= 3
    assert not m[1500, 2000] and not m[1500, 2040] and m[1500, 2070]  # a 100 px brush: radius 50
    assert "33% of the image is inspected" in editor.summary.text()
    xs = np.concatenate([p[:, 0] for p in c._outline])
    assert abs(xs.min() - 1000) <= 3 and abs(xs.max() - 3000) <= 3  # the outline is drawn in image pixels


def click_corners(c, corners) -> None:
    for x, y in corners:
        QTest.mouseClick(c, Qt.LeftButton, Qt.NoModifier, widget_point(c, x, y))


def test_ignore_polygons_with_the_mouse_and_keys(qtbot):
    """Ignore polygon: click corners, double-click or Enter closes, Esc drops the corners (and only then is
    Esc the dialog's Cancel); the region polygon takes Enter and Esc the same way; the eraser takes ignored
    areas back."""
    rgb = np.zeros((100, 200, 3), np.uint8)
    editor = RegionEditor(rgb)
    qtbot.addWidget(editor)
    editor.show()
    c = editor.canvas
    # the region: a rectangle over the left half, then ignore a triangle inside it (double-click closes)
    QTest.mousePress(c, Qt.LeftButton, Qt.NoModifier, widget_point(c, 0, 0))
    QTest.mouseRelease(c, Qt.LeftButton, Qt.NoModifier, widget_point(c, 100, 100))
    editor.tool_buttons["ignore_polygon"].click()
    click_corners(c, [(10, 10), (60, 10)])
    QTest.mouseClick(c, Qt.LeftButton, Qt.NoModifier, widget_point(c, 10, 60))
    QTest.mouseDClick(c, Qt.LeftButton, Qt.NoModifier, widget_point(c, 10, 60))
    m = editor.mask()
    assert not m[20, 20] and m[80, 80] and not m[50, 150]  # ignored inside, inspected beside it, outside the region
    assert c.polygon == [] and c.region[20, 20]  # the region itself is unchanged
    # Enter closes a second ignore polygon (focus on the canvas after the clicks)
    click_corners(c, [(70, 70), (95, 70), (95, 95), (70, 95)])
    QTest.keyClick(c, Qt.Key_Return)
    m = editor.mask()
    assert not m[80, 80] and m[60, 80]
    # Esc drops the corners so far and keeps the dialog open; nothing changes
    before = editor.mask().copy()
    click_corners(c, [(30, 70), (50, 70), (50, 90)])
    assert len(c.polygon) == 3
    QTest.keyClick(c, Qt.Key_Escape)
    assert c.polygon == [] and editor.isVisible() and (editor.mask() == before).all()
    # Enter or Esc reach the polygon even when the focus is on a button, not OK / Cancel
    click_corners(c, [(30, 70), (50, 70), (50, 90)])
    editor.tool_buttons["eraser"].setFocus()
    QTest.keyClick(editor.tool_buttons["eraser"], Qt.Key_Enter)
    assert editor.isVisible() and not editor.mask()[80, 45] and editor.result() == 0
    # fewer than 3 corners draw nothing
    before = editor.mask().copy()
    click_corners(c, [(20, 80), (40, 80)])
    QTest.keyClick(c, Qt.Key_Return)
    assert c.polygon == [] and (editor.mask() == before).all()
    # the eraser takes an ignored area back
    editor.tool_buttons["eraser"].click()
    editor.brush_slider.setValue(10)
    QTest.mouseClick(c, Qt.LeftButton, Qt.NoModifier, widget_point(c, 20, 20))
    assert editor.mask()[20, 20]
    # the region polygon takes Enter too; Esc with nothing under way is the dialog's Cancel
    editor.tool_buttons["polygon"].click()
    click_corners(c, [(110, 10), (190, 10), (190, 90)])
    QTest.keyClick(c, Qt.Key_Enter)
    m = editor.mask()
    assert m[20, 185] and not m[50, 50]  # the triangle replaced the rectangle
    QTest.keyClick(c, Qt.Key_Escape)
    assert not editor.isVisible() and editor.result() == 0


def test_an_ignore_polygon_is_saved_in_the_project_mask(qtbot, window, small_settings, tmp_path):
    for i in range(2):
        write_png(tmp_path / "good" / f"g{i}.png", np.ascontiguousarray(texture(i, 128)[:96]))
    window.create_project("IgnorePolygon", tmp_path / "proj", small_settings())
    project = window.state.project
    project.add_images([tmp_path / "good"])
    window.state.training_changed()
    window.region_action.trigger()
    editor = window.region_editor
    c = editor.canvas
    editor.tool_buttons["ignore_polygon"].click()
    click_corners(c, [(10, 10), (60, 10), (60, 50), (10, 50)])
    QTest.keyClick(c, Qt.Key_Return)
    editor.accept()
    saved = project.region()
    assert saved.shape == (96, 128)
    assert not saved[30, 30] and saved[80, 100] and 0.7 < saved.mean() < 0.9  # 50x40 of 128x96 ignored
