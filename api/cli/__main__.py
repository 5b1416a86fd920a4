"""``python -m api.cli``: the ``ringkas`` command without its console script."""

from api.cli import main

main()
