from mms_desktop.launch import command_line as main

raise SystemExit(main())
