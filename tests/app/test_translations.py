"""The Japanese UI: every user-visible text goes through Qt's translation, the catalogue translates all of them,
the committed .qm is the compiled .ts, and installing the Japanese translator changes real widgets' texts.

``python -m inspector.app.i18n`` updates the catalogue after source changes (``--list-unfinished`` lists what
is left to translate)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from inspector.app import i18n
from inspector.app.i18n import __main__ as update

APP = Path(i18n.__file__).resolve().parents[1]

# calls whose string arguments the user reads: methods (any object) and constructors
TEXT_METHODS = {"setText", "setWindowTitle", "setToolTip", "setStatusTip", "setPlaceholderText", "addAction",
                "addMenu", "addTab", "setTitle", "setLabel", "setSuffix", "addRow", "setHorizontalHeaderLabels",
                "showMessage", "show_message", "error", "information", "question", "warning", "critical", "about",
                "set_text", "clear", "addItem", "addItems", "setItemText", "setTabText", "setFormat",
                "getExistingDirectory", "getOpenFileName", "getOpenFileNames", "getSaveFileName", "getText",
                "setItemData", "start", "setWhatsThis", "setAccessibleName",
                "_action", "button", "show_skipped"}  # the app's own helpers that put a text on a widget
TEXT_CLASSES = {"QPushButton", "QLabel", "QCheckBox", "QGroupBox", "QAction", "QMenu", "QToolButton", "QDockWidget",
                "QRadioButton", "QMessageBox", "EmptyState", "QListWidgetItem", "QTableWidgetItem", "SkippedDialog",
                "browse_button", "_image_plot"}
TEXT_KEYWORDS = {"name", "label", "title", "text", "tip", "action"}
# texts that are the same in every language: the app's name, each language's own name, units and symbols
SAME_EVERYWHERE = {"Inspector", "English", "日本語", "ROC", "PCA", "CSV", "HTML", "auto", "cpu", "cuda"}
NOT_TEXT = {"info", "warning", "error", "bottom", "left", "right", "top"}  # message levels, plot axes
SHORTCUT = re.compile(r"^((Ctrl|Shift|Alt|Meta)\+)*(\w|Esc|Del|F\d+|\{\})$")  # a key sequence: "Ctrl+Shift+R"
WORD = re.compile(r"[A-Za-z]{2,}")


def _literal_words(node: ast.AST) -> list[str]:
    """The literal text of a string argument that holds words (an f-string's literal parts, a concatenation's
    literal operands); a ``tr(...)``/``translate(...)`` call is translated and yields nothing."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        text = node.value
        if (text in SAME_EVERYWHERE or text in NOT_TEXT or SHORTCUT.match(text)
                or text.startswith(("QPushButton {", "color:", "font-"))):
            return []
        return [text] if WORD.search(re.sub(r"\{[^}]*\}|<[^>]*>|&\w+;|\b(px|MB|GMACs|ms|PC)\b", "", text)) else []
    if isinstance(node, ast.JoinedStr):  # judged whole, each replacement field as "{}"
        text = "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
        return _literal_words(ast.Constant(text))
    if isinstance(node, ast.BinOp):
        return _literal_words(node.left) + _literal_words(node.right)
    if isinstance(node, ast.IfExp):
        return _literal_words(node.body) + _literal_words(node.orelse)
    if isinstance(node, (ast.List, ast.Tuple)):
        return [w for e in node.elts for w in _literal_words(e)]
    return []


def untranslated_literals(path: Path, root: Path = APP) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
        if name in TEXT_METHODS or name in TEXT_CLASSES:
            args = list(node.args) + [k.value for k in node.keywords if k.arg in TEXT_KEYWORDS]
        elif name in ("Thread", "add_argument", "ArgumentParser"):  # a thread's name; the update command's CLI
            continue
        else:
            args = [k.value for k in node.keywords if k.arg in TEXT_KEYWORDS]
        for arg in args:
            for text in _literal_words(arg):
                found.append(f"{path.relative_to(root)}:{node.lineno}: {name}({text!r})")
    return found


def test_no_user_visible_literal_bypasses_translation():
    """A text given to a widget (setText, QPushButton(...), addAction, setToolTip, a message box, ...) as a plain
    literal would stay English in the Japanese UI: wrap it in self.tr() / QCoreApplication.translate()."""
    found = [hit for path in update.sources() for hit in untranslated_literals(path)]
    assert not found, "untranslated user-visible texts:\n" + "\n".join(found)


def test_the_literal_finder_finds_literals(tmp_path):
    """The check above can fail: it flags a plain literal, an f-string and a concatenation, not tr()."""
    source = tmp_path / "sample.py"
    source.write_text('b = QPushButton("Start")\nlabel.setText(f"{n} parts left")\nbar.show_message("info", "Done " + x)\n'
                      'ok = QPushButton(self.tr("Start"))\nlabel.setStyleSheet("color: red")\n'
                      'self._action(menu, "&Quit", self.close, "Ctrl+Shift+Q")\n', encoding="utf-8")
    hits = [h.split(": ", 1)[1] for h in untranslated_literals(source, tmp_path)]
    assert sorted(hits) == sorted(["QPushButton('Start')", "setText('{} parts left')", "show_message('Done ')",
                                   "_action('&Quit')"])


# ------------------------------------------------------------------------------------------ the catalogue
@pytest.fixture(scope="module")
def merged():
    """The committed catalogue merged (in a temporary copy) with today's sources by pyside6-lupdate."""
    return update.check("ja")


def test_every_text_of_the_app_is_translated(merged):
    """lupdate over the current sources finds no text the catalogue lacks or leaves unfinished: a new tr()
    text fails here until it is translated (python -m inspector.app.i18n --list-unfinished lists them)."""
    catalogue, _current = merged
    assert not catalogue.unfinished, ("untranslated texts (translate them in inspector/app/i18n/inspector_ja.ts, then "
                                      "run python -m inspector.app.i18n):\n"
                                      + "\n".join(f"[{c}] {s!r}" for c, s in catalogue.unfinished))
    assert len(catalogue.finished) > 400


def test_a_new_text_shows_as_unfinished(tmp_path):
    """The check above can fail: a source with a tr() text the catalogue has never seen is reported."""
    sample = tmp_path / "sample.py"
    sample.write_text("from PySide6.QtWidgets import QWidget\n\n\nclass Sample(QWidget):\n"
                      "    def __init__(self):\n        super().__init__()\n"
                      "        self.setWindowTitle(self.tr('A text nobody translated'))\n", encoding="utf-8")
    catalogue, _ = update.check("ja", files=[*update.sources(), sample])
    assert catalogue.unfinished == [("Sample", "A text nobody translated")]


def test_the_committed_qm_is_the_compiled_ts(merged):
    """The .qm the app loads is what pyside6-lrelease makes of the committed .ts (it cannot go stale)."""
    _catalogue, current = merged
    assert current, "inspector_ja.qm is stale: run python -m inspector.app.i18n"


def test_placeholders_survive_translation():
    """Every {field} and %n of an English text is in its translation (else .format() fails in Japanese)."""
    fields = re.compile(r"\{[^}]*\}|%n")
    broken = []
    for message in __import__("xml.etree.ElementTree", fromlist=["parse"]).parse(
            i18n.catalogue("ja", compiled=False)).getroot().iter("message"):
        source = message.findtext("source")
        translation = message.find("translation")
        texts = [n.text or "" for n in translation.iter("numerusform")] or [translation.text or ""]
        broken += [(source, t) for t in texts if sorted(fields.findall(source)) != sorted(fields.findall(t))]
    assert not broken


# --------------------------------------------------------------------------------------------- the UI
@pytest.fixture
def japanese(qapp):
    installed = i18n.install(qapp, "ja")
    yield installed
    i18n.remove(qapp)


def test_the_language_follows_the_system_unless_chosen():
    from PySide6.QtCore import QLocale

    assert i18n.effective("system", QLocale("ja_JP")) == "ja"
    assert i18n.effective("system", QLocale("en_US")) == "en"
    assert i18n.effective("system", QLocale("de_DE")) == "en"  # no catalogue: English
    assert i18n.effective("en", QLocale("ja_JP")) == "en"
    assert i18n.effective("ja", QLocale("en_US")) == "ja"


def test_japanese_translator_changes_real_widgets(qtbot, japanese):
    """Installed before the widgets are built (as main() does), the catalogue and Qt's own qtbase_ja.qm
    translate the main window's menus and tabs, and the new-project dialog with its standard buttons."""
    from PySide6.QtWidgets import QDialogButtonBox

    from inspector.app.main_window import MainWindow
    from inspector.app.project_dialogs import NewProjectDialog

    assert len(japanese) == 2  # ours and Qt's
    window = MainWindow()
    qtbot.addWidget(window)
    menus = [a.text() for a in window.menuBar().actions()]
    assert menus == ["ファイル(&F)", "プロジェクト(&P)", "表示(&V)", "ヘルプ(&H)"]
    assert [window.tabs.tabText(i) for i in range(window.tabs.count())] == [
        "1  学習セット", "2  検査結果", "3  目視確認", "4  ライン監視"]
    assert window.start_screen.new_button.text() == "新規プロジェクト…"
    assert window.language_menu.title() == "言語(&L)"
    dialog = NewProjectDialog(window)
    qtbot.addWidget(dialog)
    assert dialog.windowTitle() == "新規プロジェクト"
    assert dialog.buttons.button(QDialogButtonBox.Ok).text() == "作成"
    assert dialog.buttons.button(QDialogButtonBox.Cancel).text() == "キャンセル"  # Qt's own catalogue
    assert dialog.form.weights_kind.itemText(1) == "この PC の重みファイル"
    dialog.form.shutdown()


def test_english_is_untouched_without_the_translator(qtbot):
    from inspector.app.main_window import MainWindow

    window = MainWindow()
    qtbot.addWidget(window)
    assert [a.text() for a in window.menuBar().actions()] == ["&File", "&Project", "&View", "&Help"]


def test_the_language_menu_remembers_the_choice(qtbot, monkeypatch):
    """View ▸ Language ▸ 日本語 is saved in the app settings at once, says it applies after a restart, and
    the next start reads it (main() installs the translators for it)."""
    from inspector.app.app_settings import AppSettings
    from inspector.app.main_window import MainWindow

    monkeypatch.delenv(i18n.ENV)
    window = MainWindow()
    qtbot.addWidget(window)
    menu = window.language_menu
    assert menu.actions_by_language["system"].isChecked()
    assert i18n.chosen(AppSettings()) == "system"
    menu.actions_by_language["ja"].trigger()
    assert menu.actions_by_language["ja"].isChecked() and not menu.actions_by_language["system"].isChecked()
    assert i18n.chosen(AppSettings()) == "ja"  # a fresh read of the settings file: the next start
    assert "starts again" in window.message_bar.text() and "次回起動時" in window.message_bar.text()
    menu.actions_by_language["en"].trigger()
    assert i18n.chosen(AppSettings()) == "en"


def test_the_new_project_dialog_grows_to_its_wrapped_texts(qtbot, japanese):
    """A long note (a weights file that fits another backbone; longer still in Japanese) makes the dialog
    taller instead of squeezing the layer list to a row or drawing the texts over it."""
    from inspector.app.project_dialogs import NewProjectDialog

    dialog = NewProjectDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    picker = dialog.form.backbone
    qtbot.waitUntil(lambda: not picker.busy and picker.layers.count() > 0, timeout=60000)
    dialog.resize(dialog.width(), 300)  # as small as a tight layout would leave it
    long_note = "このファイルは wideresnet50 ではなく resnet18 の重みです。" * 6
    dialog.form.file_note.setText(long_note)
    dialog.form.usableChanged.emit()
    layout = dialog.layout()
    qtbot.waitUntil(lambda: dialog.height() >= min(layout.totalHeightForWidth(dialog.width()),
                                                   dialog.screen().availableGeometry().height() - 40), timeout=5000)
    assert picker.layers.height() >= picker.layers.minimumHeight() >= 4 * picker.fontMetrics().lineSpacing()
    dialog.reject()
    dialog.form.shutdown()


def test_unfinished_texts_export_and_apply_round_trip(tmp_path):
    """--export-unfinished writes what is left to translate; --apply fills it in (a plural as its one form)."""
    import json
    import shutil

    sample = tmp_path / "sample.py"
    sample.write_text("from PySide6.QtWidgets import QWidget\n\n\nclass Sample(QWidget):\n"
                      "    def __init__(self, n):\n        super().__init__()\n"
                      "        self.setWindowTitle(self.tr('A new dialog'))\n"
                      "        self.setToolTip(self.tr('%n new part(s)', '', n))\n", encoding="utf-8")
    ts = tmp_path / "inspector_ja.ts"
    shutil.copyfile(i18n.catalogue("ja", compiled=False), ts)
    update.lupdate(ts, [*update.sources(), sample])
    todo = tmp_path / "todo.json"
    assert update.export_unfinished(ts, todo) == 2
    rows = json.loads(todo.read_text(encoding="utf-8"))
    assert [(r["context"], r["source"]) for r in rows] == [("Sample", "A new dialog"), ("Sample", "%n new part(s)")]
    for row, text in zip(rows, ["新しいダイアログ", "新しいワーク %n 件"]):
        row["translation"] = text
    todo.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    assert update.apply(ts, todo) == 2
    assert not update.read(ts).unfinished
