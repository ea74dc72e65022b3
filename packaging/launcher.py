"""Entry point of the frozen app: the same ``main`` as the ``readinglist`` console script."""

import sys

from readinglist.cli import main

if __name__ == "__main__":
    sys.exit(main())
