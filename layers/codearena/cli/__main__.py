import sys

from codearena.cli.entry import main

sys.exit(main())
