"""release_actions: the shared library behind llama-stack/release-actions.

Keep this module import-light: compute-version and nightly-version import it on
every run. The GitHub client lives in :mod:`release_actions.adapters.github_client` and is
imported only by the commands that talk to the API.
"""

__all__ = ["__version__"]

__version__ = "1.0.0.dev0"
