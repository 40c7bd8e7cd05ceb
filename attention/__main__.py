"""``python -m attention``: see attention.cli."""

from attention.cli import main

raise SystemExit(main())
