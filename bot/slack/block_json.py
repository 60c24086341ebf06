"""Block Kit objects to JSON dicts: slack_sdk's `to_dict`, its validators included,
without the cost of finding them.

slack_sdk's `JsonObject.validate_json` looks for validator methods by calling
`getattr` on every name `dir()` lists, on every object of every message: for an
answer's ~20 objects that is most of the ~0.25 ms its rendering takes, paid on
every mention. The validators are methods, so they are found once per class
here; the walk that follows is `JsonObject.get_non_null_attributes`' own (same
keys, same order, same emptiness rule), and objects with a serialiser of their
own (options, confirm dialogs …) keep it. tests/bot/slack/test_slack_block_json.py checks
the output against `to_dict()` for every builder in bot/slack/blocks.py.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from slack_sdk.models.basic_objects import EMPTY_ALLOWED_TYPE_AND_PROPERTY_LIST, JsonObject

# (object type, property) pairs Slack accepts empty (rich text elements).
_EMPTY_ALLOWED = frozenset((e["type"], e["property"]) for e in EMPTY_ALLOWED_TYPE_AND_PROPERTY_LIST)


@cache
def _validators(cls: type) -> tuple[str, ...]:
    """The validator methods of `cls`, in the order `validate_json` calls them (dir order)."""
    return tuple(
        name
        for name in dir(cls)
        if not name.startswith("__")
        and callable(method := getattr(cls, name, None))
        and hasattr(method, "validator")
    )


def json_dict(value: Any) -> Any:
    """`value` as slack_sdk would serialise it; raises SlackObjectFormationError as it would."""
    if isinstance(value, (list, tuple)):
        return [json_dict(v) for v in value]
    to_dict = getattr(value, "to_dict", None)
    if not callable(to_dict):
        return value
    if not isinstance(value, JsonObject) or type(value).to_dict is not JsonObject.to_dict:
        return {key: json_dict(v) for key, v in to_dict().items()}
    cls = type(value)
    for name in _validators(cls):
        getattr(value, name)()
    kind = getattr(value, "type", None)
    out = {}
    for key in sorted(value.attributes):
        v = value.get_object_attribute(key)
        if v is None or ((kind, key) not in _EMPTY_ALLOWED and hasattr(v, "__len__") and len(v) == 0):
            continue
        out[key] = json_dict(v)
    return out
