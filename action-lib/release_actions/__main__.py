import sys

from release_actions.interface import early

early.begin(sys.argv[1:])  # nightly-version: git's reads start before the CLI is imported

from release_actions.interface.cli import main  # noqa: E402

sys.exit(main())
