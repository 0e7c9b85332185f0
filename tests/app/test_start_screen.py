"""The start screen: projects recent first, create, open, rename, delete, missing folders, newer formats;
window geometry remembered across runs."""

from __future__ import annotations

import base64
import json
import shutil

from app_helpers import drop

from inspector.app.app_settings import AppSettings
from inspector.app.main_window import MainWindow


def names(window) -> list[str]:
    return [window.start_screen.list.item(i).text().split("\n")[0] for i in range(window.start_screen.list.count())]


def test_projects_list_recent_first_rename_delete(qtbot, window, tmp_path, small_settings):
    window.create_project("Caps", tmp_path / "caps", small_settings())
    window.create_project("Bottles", None, small_settings())  # default folder under the user data folder
    bottles = window.state.project.folder
    assert bottles.parent.name == "projects" and str(bottles).startswith(str(tmp_path))
    window.close_project()
    assert names(window) == ["Bottles", "Caps"]
    assert "0 good image(s) · not trained · opened today" in window.start_screen.list.item(0).text()
    window.open_project(tmp_path / "caps")
    window.close_project()
    assert names(window) == ["Caps", "Bottles"]

    window.rename_project(bottles, "Bottles, line 2")
    assert names(window) == ["Caps", "Bottles, line 2"]
    window.open_project(bottles)
    assert window.windowTitle().startswith("Bottles, line 2")
    window.rename_project(bottles, "Bottles, line 3")  # the open project: title and status follow
    assert window.windowTitle().startswith("Bottles, line 3")
    window.close_project()

    assert window.delete_project(tmp_path / "caps")
    assert not (tmp_path / "caps").exists()
    assert names(window) == ["Bottles, line 3"]

    # a project folder that disappeared is shown as missing, can't be opened, can be removed from the list
    shutil.rmtree(bottles)
    window.start_screen.refresh()
    assert "(folder missing)" in window.start_screen.list.item(0).text()
    assert not window.start_screen.open_button.isEnabled()
    window.start_screen.forget_button.click()
    assert window.start_screen.list.count() == 0
    assert window.start_screen.stack.currentWidget() is window.start_screen.empty


def test_dropping_a_project_folder_opens_it(qtbot, window, tmp_path, small_settings):
    window.create_project("Dropped", tmp_path / "dropped", small_settings())
    window.close_project()
    drop(window.start_screen.list.viewport(), [tmp_path])  # not a project
    assert "not a project folder" in window.message_bar.text()
    drop(window.start_screen.list.viewport(), [tmp_path / "dropped"])
    assert window.pages.currentWidget() is window.project_page
    assert window.state.project.name == "Dropped"


def test_refuses_a_newer_project_format_with_a_clear_message(qtbot, window, tmp_path, small_settings):
    window.create_project("Future", tmp_path / "future", small_settings())
    window.close_project()
    path = tmp_path / "future" / "project.json"
    data = json.loads(path.read_text())
    data["format_version"] = 99
    path.write_text(json.dumps(data))
    assert window.open_project(tmp_path / "future") is None
    assert window.pages.currentWidget() is window.start_screen
    assert window.message_bar.level == "error" and "newer Inspector" in window.message_bar.text()


def test_refuses_to_create_in_a_non_empty_folder(qtbot, window, tmp_path, small_settings):
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "something.txt").write_text("x")
    assert window.create_project("X", tmp_path / "busy", small_settings()) is None
    assert "not empty" in window.message_bar.text()


def test_window_geometry_is_remembered(qtbot, tmp_path):
    first = MainWindow()
    qtbot.addWidget(first)
    first.show()
    first.resize(1000, 700)
    qtbot.waitUntil(lambda: first.width() == 1000)
    saved = base64.b64encode(bytes(first.saveGeometry())).decode()
    first.close()
    assert AppSettings().get("geometry") == saved  # stored in the (tmp) platformdirs config folder
    second = MainWindow()
    qtbot.addWidget(second)
    # restored (the offscreen test screen is 800 px wide, so Qt clamps the width to fit it)
    assert second.height() == 700
