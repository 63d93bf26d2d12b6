"""Entry point of the bundled command line (``mms-desktop``)."""

import multiprocessing
import sys

if __name__ == "__main__":
    multiprocessing.freeze_support()
    from mms_desktop.launch import command_line as main

    sys.exit(main())
