"""Entry point of the bundled window (``mms-desktop-gui``)."""

import multiprocessing
import sys

if __name__ == "__main__":
    multiprocessing.freeze_support()  # a bundled program must not re-run itself in worker processes
    from mms_desktop.launch import window as main

    sys.exit(main())
