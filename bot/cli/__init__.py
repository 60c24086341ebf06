"""The `faqbot` command (main.py) and one module per command group.

Imports nothing of the Slack adapter except `bot.slack.serve`, and that only inside
`faqbot serve`, so `faqbot ask` starts without loading Slack's libraries.
"""
