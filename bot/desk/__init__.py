"""The support desk's workflows: answering, intake, escalation and case states, teaching,
reminders, the SLA watch, App Home's content and the usage statistics.

Written against the store and the ports in ports.py (Slack's Web API, Block Kit rendering,
the outbox), never against slack_bolt or slack_sdk, so each workflow runs in a test without Bolt.
"""
