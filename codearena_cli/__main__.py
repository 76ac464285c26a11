import sys

from codearena_cli.entry import main

sys.exit(main())
