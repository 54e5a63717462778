"""A local GitHub REST API (stateful, git-backed) standing in for api.github.com.

See :mod:`.server`. A rehearsal serves it for pull requests, releases and
milestones; the test suite adds OpenAPI validation
(``tests/testbed/github_api``).
"""

from .bare import commit_files, git_in, init_bare_repo
from .server import Fault, GitHubAPIServer

__all__ = ["Fault", "GitHubAPIServer", "commit_files", "git_in", "init_bare_repo"]
