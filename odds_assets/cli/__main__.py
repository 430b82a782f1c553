import sys

from odds_assets.cli import main

sys.exit(main())
