"""plan: the release owner's checklist for one version, with a dry run of each step."""
