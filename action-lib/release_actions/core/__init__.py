"""Pure release logic: the version model and its npm form, npm ranges, configuration.

Nothing here runs git, reads the network or writes files. Every other layer may
import it; it imports no other layer.
"""
