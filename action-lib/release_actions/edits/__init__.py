"""Pure, format-preserving edits of manifests: text in, text and a result value out.

pyproject.toml (``fallback_version``, ``[tool.setuptools_scm]``), dependency pins,
``package.json`` and its lockfile, and version stamps. No git, no network, no
file writes: callers read and write the files.
"""
