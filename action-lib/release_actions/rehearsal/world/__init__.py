"""A rehearsal's throwaway world on 127.0.0.1: origin, PyPI, TestPyPI, npm, GitHub's API."""
