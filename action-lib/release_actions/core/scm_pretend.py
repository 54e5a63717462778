"""How setuptools-scm is told a version: its pretend-version environment variables."""

from __future__ import annotations

from packaging.utils import canonicalize_name

__all__ = ["PRETEND", "pretend_variable"]

PRETEND = "SETUPTOOLS_SCM_PRETEND_VERSION"


def pretend_variable(dist_name: str) -> str:
    """The per-distribution pretend-version variable setuptools-scm reads.

    >>> pretend_variable("llama-stack")
    'SETUPTOOLS_SCM_PRETEND_VERSION_FOR_LLAMA_STACK'
    >>> pretend_variable("Llama_Stack.API")
    'SETUPTOOLS_SCM_PRETEND_VERSION_FOR_LLAMA_STACK_API'
    """
    return f"{PRETEND}_FOR_{canonicalize_name(dist_name).replace('-', '_').upper()}"
