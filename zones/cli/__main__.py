"""`python -m zones.cli …` runs `zoneplan …`."""

import sys

from .main import main

sys.exit(main())
