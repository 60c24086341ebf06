"""The Slack adapter: the Bolt app and its listeners, Block Kit rendering, payload checks,
the Web API client, the outbox that delivers Slack writes, the HTTP server and worker pool.

The only package that imports slack_bolt or slack_sdk. It implements the ports the desk's
workflows are written against (bot/desk/ports.py) and wires everything in services.py.
"""
