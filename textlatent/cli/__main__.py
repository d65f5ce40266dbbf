"""`python -m textlatent.cli`."""

import sys

from . import main

sys.exit(main())
