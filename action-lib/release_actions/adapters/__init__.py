"""Adapters to the world: git, push/PR delivery, tags, GitHub, PyPI, npm, uv, files.

Each module wraps one outside system and turns its failures into
:class:`release_actions.core.errors.ReleaseActionsError` with a fix.
"""
