"""Another application to dictate into: a text window that takes the keyboard focus once and reports, in
a JSON file, the text in it, when that last changed (the system's monotonic clock, comparable between
processes), and the clipboard's text and formats as it sees them. ``benchmark typing`` and the tests type
into it.

python -m mms_desktop.benchmark.target STATE.json [CLIPBOARD_TEXT]      (the clipboard starts with that
                                                                         text, as plain text and HTML)
"""

import json
import sys
import time
from pathlib import Path

from PySide6.QtCore import QMimeData, QTimer
from PySide6.QtWidgets import QApplication, QPlainTextEdit


def main() -> None:
    state = Path(sys.argv[1])
    app = QApplication(sys.argv[:1])
    edit = QPlainTextEdit()
    edit.setWindowTitle("Target")
    edit.resize(500, 200)
    edit.move(50, 300)
    if len(sys.argv) > 2:
        mime = QMimeData()
        mime.setText(sys.argv[2])
        mime.setHtml(f"<b>{sys.argv[2]}</b>")
        app.clipboard().setMimeData(mime)
    edit.show()
    changed = [0.0]
    edit.textChanged.connect(lambda: changed.__setitem__(0, time.monotonic()))

    focused: list[bool] = []

    def report() -> None:
        if not focused:  # take the focus once, as a user clicking into it; never again after that
            edit.activateWindow()
            edit.setFocus()
            if edit.hasFocus():
                focused.append(True)
        mime = app.clipboard().mimeData()
        data = {
            "text": edit.toPlainText(),
            "changed_at": changed[0],
            "focused": edit.hasFocus(),
            "clipboard": app.clipboard().text(),
            "formats": mime.formats() if mime else [],
        }
        temporary = state.with_suffix(".tmp")
        temporary.write_text(json.dumps(data))
        temporary.replace(state)

    timer = QTimer()
    timer.timeout.connect(report)
    timer.start(100)
    app.exec()


if __name__ == "__main__":
    main()
