"""The support desk's workflows: answering, intake, escalation and case states, teaching,
reminders, the SLA watch, App Home's content and the usage statistics.

Written against the store, the ports in ports.py (the outbox, Slack's Web API) and a views
port each workflow declares for what it shows, never against slack_bolt or slack_sdk, so
each workflow runs in a test without Bolt (tests/bot/desk/test_without_slack.py).
"""
