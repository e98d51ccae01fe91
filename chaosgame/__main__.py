"""Allow ``python -m chaosgame``."""

from chaosgame.cli import main

raise SystemExit(main())
