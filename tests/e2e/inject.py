"""Types given utterances into the focused application through the product's own path: the dictation's
written text (:class:`DictatedText`), then the :class:`Typist` with the X11 keyboard, over the X server in
DISPLAY. Prints what happened as JSON.

python inject.py SPEC.json      SPEC: {"paste_key", "separator", "restore_s", "utterances": [[words, lang]],
                                        "own_window": whether a window of this program has the focus,
                                        "target": the target application's state file, read back at the end
                                        while this program still owns the clipboard it put back}
"""

import json
import sys
import time
from pathlib import Path

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication, QLineEdit

from mms_desktop.core.recognition import DictatedText
from mms_desktop.desktop.setup import own_windows
from mms_desktop.desktop.typist import Typist
from mms_desktop.desktop.x11 import X11Keyboard


def wait(seconds: float) -> None:
    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()


def main() -> None:
    spec = json.loads(Path(sys.argv[1]).read_text())
    app = QApplication(sys.argv[:1])
    own = None
    if spec.get("own_window"):
        own = QLineEdit()
        own.setWindowTitle("MMS Desktop itself")
        own.show()
        for _ in range(50):
            own.activateWindow()
            own.setFocus()
            wait(0.1)
            if own.hasFocus():
                break
    typist = Typist(X11Keyboard(), app.clipboard(), own_windows)
    typist.configure(spec.get("paste_key", "Ctrl+V"), spec.get("restore_s", 0.6))
    failed: list[str] = []
    typist.failed.connect(failed.append)
    text = DictatedText(spec.get("separator", "space"))
    results, times = [], []
    for words, language in spec["utterances"]:
        started = time.perf_counter()
        results.append(typist.apply(text.add(words, language)))
        times.append(time.perf_counter() - started)
        wait(spec.get("pause_s", 0.4))
    wait(spec.get("restore_s", 0.6) + 0.5)  # the clipboard is put back meanwhile, and the target reports it
    target = json.loads(Path(spec["target"]).read_text()) if spec.get("target") else None
    print(
        json.dumps(
            {
                "results": results,
                "failed": failed,
                "text": text.text,
                "seconds": times,
                "own_window_text": own.text() if own else None,
                "target": target,
            }
        )
    )
    app.quit()


if __name__ == "__main__":
    main()
