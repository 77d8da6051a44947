"""`python -m runner ...`: see runner/cli.py for the commands."""

from runner.cli import main

raise SystemExit(main())
