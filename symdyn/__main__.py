"""``python -m symdyn`` runs the CLI."""

from symdyn.cli import main

raise SystemExit(main())
