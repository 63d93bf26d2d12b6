from mms_desktop.cli import main

raise SystemExit(main())
