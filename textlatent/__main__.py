"""`python -m textlatent ...`: the `textlatent` command where the console script is not installed
(for example a GPU machine that runs the code from a checkout)."""

import sys

from .cli import main

sys.exit(main())
