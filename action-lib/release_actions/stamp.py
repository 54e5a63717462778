"""Stamp a version into an external package checkout: the client repositories.

Llama Stack builds its clients (``llama-stack-client-python`` and
``llama-stack-client-typescript``) from their own repositories, with the
version of the release forced in at build time. This module does that edit,
and only that edit:

* Python (``kind="python"``): ``[project] version`` of ``pyproject.toml``
  (tomlkit, scoped to ``[project]``: a ``version`` key in any other table is
  left alone) and ``__version__`` in the package's ``_version.py``;
* npm (``kind="npm"``): ``"version"`` of ``package.json``, the root entries of
  ``package-lock.json`` / ``npm-shrinkwrap.json`` when there is one (``version``
  and ``packages[""].version``), and ``VERSION`` in ``src/version.ts``. npm
  files get the npm form of the version (:func:`versions.npm_version`).

Only the bytes of the version values change: quotes, comments (the
``# x-release-please-version`` marker), spacing, line endings and everything
else stay as they were. A version file that cannot be found or holds no
version is an error naming what was looked for; nothing is ever skipped
silently. Every file is planned before any is written, so an error writes
nothing.

The text edits, one function per file kind, are in
:mod:`release_actions.stamp_edits`; finding the files, planning and writing
them is :mod:`release_actions.stamp_plan`. Import from this module.

>>> text = '__title__ = "x"\\n__version__ = "0.7.1"  # x-release-please-version\\n'
>>> new, old = stamp_version_py(text, Version("0.8.0rc1"))
>>> print(new, end="")
__title__ = "x"
__version__ = "0.8.0rc1"  # x-release-please-version
>>> old
'0.7.1'
>>> stamp_version_ts("export const VERSION = '0.7.1'; // x-release-please-version\\n",
...                  "0.8.0-rc.1")[0]
"export const VERSION = '0.8.0-rc.1'; // x-release-please-version\\n"
"""

from __future__ import annotations

from packaging.version import Version  # noqa: F401 - the doctests below use it

from .stamp_edits import (
    NO_VERSION_FILE,
    stamp_package_json,
    stamp_package_lock,
    stamp_pyproject,
    stamp_version_py,
    stamp_version_ts,
)
from .stamp_edits import TS_VERSION_FILE as TS_VERSION_FILE
from .stamp_plan import JS_VERSION_SUFFIXES as JS_VERSION_SUFFIXES
from .stamp_plan import KINDS, FileStamp, StampPlan, default_import_name, plan_stamp, write_stamp
from .stamp_plan import NPM_LOCKFILES as NPM_LOCKFILES
from .stamp_plan import PY_VERSION_SUFFIXES as PY_VERSION_SUFFIXES
from .stamp_plan import Stamper as Stamper

__all__ = [
    "KINDS",
    "NO_VERSION_FILE",
    "FileStamp",
    "StampPlan",
    "default_import_name",
    "plan_stamp",
    "stamp_package_json",
    "stamp_package_lock",
    "stamp_pyproject",
    "stamp_version_py",
    "stamp_version_ts",
    "write_stamp",
]

# ``doctest.testmod(stamp)`` runs the examples of the functions defined elsewhere, too.
__test__ = {
    "stamp_pyproject": stamp_pyproject,
    "default_import_name": default_import_name,
}
