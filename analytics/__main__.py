"""``python -m analytics``: the command line (:mod:`analytics.cli`).

Once a command is over (its files written and closed, or its error said), the
process leaves with ``os._exit`` after flushing its output: tearing the interpreter
down would only free memory the system frees anyway, and it takes 0.3 s after a
build (finalising scipy.stats alone takes 0.25 s). After a CSV that pyarrow could
not read it could also hang for ever: pyarrow's thread pool, shutting down at exit,
waited on the failed read's transcoding (about one run in two on one core). The
build's worker process dies with this one (``analytics._build_jobs``).
"""

import os
import sys

from analytics.cli import main

code = main()
sys.stdout.flush()
sys.stderr.flush()
os._exit(code)
