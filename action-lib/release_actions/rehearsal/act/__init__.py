"""act on the host, offline: the runner, the pinned actions and their stand-ins."""
