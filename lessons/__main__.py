"""`python -m lessons validate [PATH ...]` and `python -m lessons schema [--out FILE]`."""

import sys

from lessons.cli import main

sys.exit(main())
