"""The local GitHub API of ``release_actions.rehearsal.world.github_api``, validated.

:class:`GitHubAPIServer` here checks every request and response against GitHub's
OpenAPI description (``openapi-subset.json``, :mod:`.validation`) unless a test
passes its own ``validator``; :mod:`.fixture` has the pytest fixtures
``github_api_factory`` and ``github_api``.
"""

from release_actions.rehearsal.world.github_api import commit_files, git_in, init_bare_repo

from .server import Fault, GitHubAPIServer

__all__ = ["Fault", "GitHubAPIServer", "commit_files", "git_in", "init_bare_repo"]
