"""Runtime plumbing every other room uses: settings from the environment, the clock,
JSON logs with request ids, and the background-job scheduler."""
