"""Publishing: PyPI upload plans and npm publishes, each safe to re-run."""
