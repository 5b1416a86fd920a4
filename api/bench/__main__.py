"""``python -m api.bench``: one side of the bench, in a child process of its own."""

import sys

from api.bench import _main

_main(sys.argv[1:])
