import sys

from release_actions.interface.cli import main

sys.exit(main())
