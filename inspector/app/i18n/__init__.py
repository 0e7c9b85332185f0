"""The app's languages: English (the source texts) and Japanese (``inspector_ja.ts``, compiled to ``inspector_ja.qm``).

Every user-visible text of ``inspector/app`` goes through Qt's translation (``self.tr`` in a QObject subclass,
``QCoreApplication.translate("Context", ...)`` elsewhere); the command line and the core stay English.
``install(app, choice)`` loads the catalogue (and Qt's own ``qtbase_ja.qm`` for the standard dialogs and
buttons) before any widget is built. The choice ("system", "en" or "ja") is the app setting ``language``
(View ▸ Language), or the ``INSPECTOR_LANGUAGE`` environment variable when set.

``python -m inspector.app.i18n`` updates the catalogue from the sources and compiles it (see ``__main__``).
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

CATALOGUE_DIR = Path(__file__).resolve().parent
LANGUAGES = ("system", "en", "ja")  # the choices of View ▸ Language
TRANSLATED = ("ja",)  # the languages with a catalogue (English is the source)
SETTING = "language"  # the app-settings key
ENV = "INSPECTOR_LANGUAGE"


def catalogue(language: str, compiled: bool = True) -> Path:
    """``inspector_<language>.qm`` (or the ``.ts`` source) beside this module."""
    return CATALOGUE_DIR / f"inspector_{language}.{'qm' if compiled else 'ts'}"


def chosen(app_settings=None) -> str:
    """The user's choice: ``INSPECTOR_LANGUAGE`` when set, else the app setting, else "system"."""
    value = os.environ.get(ENV) or (app_settings.get(SETTING) if app_settings is not None else None) or "system"
    return value if value in LANGUAGES else "system"


def effective(choice: str, locale: QLocale | None = None) -> str:
    """The language the texts are shown in: the choice, or for "system" the system's language when there is a
    catalogue for it, else English."""
    if choice != "system":
        return choice if choice in TRANSLATED else "en"
    name = (locale or QLocale.system()).name()  # "ja_JP", "en_US", "C"
    language = name.split("_")[0]
    return language if language in TRANSLATED else "en"


def install(app: QCoreApplication, choice: str) -> list[QTranslator]:
    """Install the translators for ``choice`` on ``app`` (call before building widgets). English installs
    nothing. The translators are kept on the app (Qt does not own them) and returned; ``remove`` undoes it."""
    language = effective(choice)
    translators: list[QTranslator] = []
    if language == "en":
        return translators
    ours = QTranslator(app)
    if ours.load(str(catalogue(language))):
        translators.append(ours)
    qt = QTranslator(app)  # Qt's own texts: OK/Cancel/Yes/No, the file dialog
    if qt.load(f"qtbase_{language}", QLibraryInfo.path(QLibraryInfo.TranslationsPath)):
        translators.append(qt)
    for t in translators:
        app.installTranslator(t)
    app.setProperty("inspectorTranslators", len(translators))
    _installed.extend(translators)
    return translators


def remove(app: QCoreApplication) -> None:
    """Uninstall what ``install`` installed (tests switch languages within one QApplication)."""
    while _installed:
        app.removeTranslator(_installed.pop())


_installed: list[QTranslator] = []


def verdict_text(verdict: str | None) -> str:
    """A verdict as the user reads it: pass / uncertain / fail (良品 / 判定保留 / 不良品)."""
    translate = QCoreApplication.translate
    return {"pass": translate("Verdict", "pass"), "uncertain": translate("Verdict", "uncertain"),
            "fail": translate("Verdict", "fail"), None: translate("Verdict", "no thresholds")}.get(verdict, verdict or "")


def sentences(*parts: str) -> str:
    """Sentences joined as the language writes them: a space after a Latin full stop, none after "。"."""
    text = ""
    for part in filter(None, parts):
        text += ("" if not text or text.endswith(("。", "）", "\n")) else " ") + part
    return text
