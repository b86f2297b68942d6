"""``python -m analytics``: the command line (:mod:`analytics.cli`).

After a command that succeeded (its files written and closed), the process leaves
with ``os._exit`` once its output is flushed: tearing the interpreter down would only
free memory the system frees anyway, and it takes 0.3 s after a build (finalising
scipy.stats alone takes 0.25 s). A failed command exits normally.
"""

import os
import sys

from analytics.cli import main

code = main()
if code:
    sys.exit(code)
sys.stdout.flush()
sys.stderr.flush()
os._exit(0)
