"""post-release: dev tag and fallback bump on the default branch, npm pin on the branch."""
