"""Entry point of the bundled command line (``mms-desktop``)."""

import multiprocessing
import sys

if __name__ == "__main__":
    multiprocessing.freeze_support()
    from mms_desktop.cli import main

    sys.exit(main())
