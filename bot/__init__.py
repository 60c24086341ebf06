"""Everything Slack and everything stateful, in rooms that show the architecture.

Imports point down only (checked by import-linter in `make test`):
`cli` -> `slack` (the adapter) -> `desk` (the support desk's workflows) -> `store` -> `runtime`,
all above `intents` and `knowledge`. Only `bot.slack` imports slack_bolt / slack_sdk.
"""
