"""The interface: the ``release-actions`` CLI, its commands and the output layer.

The only layer that reads ``argv``, the environment of a command, or prints.
"""
