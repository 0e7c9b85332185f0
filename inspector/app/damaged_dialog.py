"""The offer made when a project is damaged: open it read-only (what can be read is shown, nothing is written)
or restore the damaged files from the backups the store keeps (``Project.restore_backup``)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QMessageBox, QWidget

READ_ONLY, RESTORE, CANCEL = "read_only", "restore", "cancel"


def ask_damaged(parent: QWidget | None, folder: Path, damage: dict[str, str], backups: dict[str, Path]) -> str:
    """Ask what to do with a damaged project: ``READ_ONLY``, ``RESTORE`` or ``CANCEL``. Restore is offered only
    when every damaged file has a backup."""
    box = QMessageBox(parent)
    box.setObjectName("damagedProjectDialog")
    box.setIcon(QMessageBox.Warning)
    box.setWindowTitle(QCoreApplication.translate("DamagedProject", "Damaged project"))
    lines = "\n".join(f"• {name}: {why}" for name, why in damage.items())
    box.setText(QCoreApplication.translate("DamagedProject", "Part of this project is damaged:") + "\n" + lines)
    restorable = all(name in backups for name in damage)
    if restorable:
        when = max(p.stat().st_mtime for name, p in backups.items() if name in damage)
        from datetime import datetime

        info = QCoreApplication.translate(
            "DamagedProject", "Restore replaces the damaged files with the backup of {when} (the damaged ones are "
            "kept beside it). Open read-only shows what can still be read and changes nothing.").format(
            when=datetime.fromtimestamp(when).strftime("%Y-%m-%d %H:%M"))
    else:
        info = QCoreApplication.translate(
            "DamagedProject", "There is no backup to restore from. Open read-only shows what can still be read and "
            "changes nothing.")
    box.setInformativeText(info)
    read_only = box.addButton(QCoreApplication.translate("DamagedProject", "Open read-only"), QMessageBox.AcceptRole)
    read_only.setObjectName("openReadOnly")
    restore = None
    if restorable:
        restore = box.addButton(QCoreApplication.translate("DamagedProject", "Restore"), QMessageBox.AcceptRole)
        restore.setObjectName("restore")
        box.setDefaultButton(restore)
    cancel = box.addButton(QMessageBox.Cancel)
    cancel.setObjectName("cancel")
    box.exec()
    clicked = box.clickedButton()
    box.deleteLater()
    if clicked is read_only:
        return READ_ONLY
    if restore is not None and clicked is restore:
        return RESTORE
    return CANCEL
