"""View ▸ Language: System default / English / 日本語, saved in the app settings and applied at the next start
(every text is translated once, when its widget is built: a restart is simpler and safer than re-translating
every live widget)."""

from __future__ import annotations

from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QMenu

from . import LANGUAGES, SETTING, chosen

AFTER_RESTART = {"en": "The language changes when Inspector starts again.",
                 "ja": "表示言語は Inspector の次回起動時に切り替わります。"}


class LanguageMenu(QMenu):
    def __init__(self, app_settings, message_bar, parent=None):
        super().__init__(self.tr("&Language"), parent)
        self.app_settings = app_settings
        self.message_bar = message_bar
        self.setObjectName("languageMenu")
        self.group = QActionGroup(self)
        self.group.setExclusive(True)
        names = {"system": self.tr("System default"), "en": "English", "ja": "日本語"}  # each language by its own name
        current = chosen(app_settings)
        self.actions_by_language: dict[str, QAction] = {}
        for language in LANGUAGES:
            action = QAction(names[language], self)
            action.setCheckable(True)
            action.setChecked(language == current)
            action.setData(language)
            action.triggered.connect(self._chosen)
            self.group.addAction(action)
            self.addAction(action)
            self.actions_by_language[language] = action

    def _chosen(self) -> None:
        language = self.sender().data()
        if language == (self.app_settings.get(SETTING) or "system"):
            return
        self.app_settings.set(SETTING, language)
        try:
            self.app_settings.save()  # now, not only at quit: the choice survives a crash too
        except OSError as exc:
            self.message_bar.error(self.tr("Could not save the language: {error}").format(error=exc))
            return
        text = self.tr("The language changes when Inspector starts again.")
        target = AFTER_RESTART.get(language)  # also in the chosen language, when that is not the current one
        self.message_bar.show_message("info", text + ("\n" + target if target and target != text else ""))
