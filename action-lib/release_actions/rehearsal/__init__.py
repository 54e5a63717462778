"""Rehearse a release locally: a project's own workflows under act, offline, against
stand-ins for origin, PyPI, TestPyPI, npm and GitHub's API (``release-actions rehearse``).

Layers, highest first: the command's engine and report here, over :mod:`.act`
(act on the host and the offline stand-ins of pinned actions) and :mod:`.world`
(the servers). Nothing here is imported by the actions' own commands.
"""
