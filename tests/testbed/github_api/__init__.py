"""A local GitHub REST API (stateful, git-backed, OpenAPI-validated) for tests.

See :mod:`.server` for the server and :mod:`.fixture` for the pytest fixtures
``github_api_factory`` and ``github_api``.
"""

from .bare import commit_files, git_in, init_bare_repo
from .server import Fault, GitHubAPIServer

__all__ = ["Fault", "GitHubAPIServer", "commit_files", "git_in", "init_bare_repo"]
