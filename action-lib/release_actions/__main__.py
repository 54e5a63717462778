import gc
import sys

from release_actions.interface import early

if sys.argv[1:2] in (["compute-version"], ["nightly-version"]):
    # Every CI job runs one of these for tens of milliseconds: what they build (thousands
    # of tags, ranked) stays alive until exit, so the cyclic collector would only walk it
    # again and again (about 60 passes in a large repository), and frees nothing.
    gc.disable()

early.begin(sys.argv[1:])  # nightly-version: git's reads start before the CLI is imported

from release_actions.interface.cli import main  # noqa: E402

sys.exit(main())
