"""``python -m symdyn`` runs the CLI."""

from .cli import main

raise SystemExit(main())
