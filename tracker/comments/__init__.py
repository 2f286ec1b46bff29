"""A discussion thread on each task: comments in Markdown, with @mentions."""
