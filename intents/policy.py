"""The answer / did-you-mean / abstain decision, with its thresholds as data.

As Azure question answering and Rasa's two-stage fallback do it: answer when
confident and clearly ahead, offer the top three when the best two are close
or confidence is middling, and below the floor say it is out of scope and
offer a human. Confidence is a logistic calibration of the top score and its
margin over the runner-up, fitted so that it reads as the probability that
the top intent is right (scripts/calibrate.py). The numbers live in
intents/data/policy.yaml and are tuned on the dev set.
"""

from __future__ import annotations

import math
from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field

POLICY_FILE = Path(__file__).parent / "data" / "policy.yaml"

Decision = Literal["answer", "did_you_mean", "out_of_scope"]


class Calibration(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    score: float
    margin: float
    bias: float

    def confidence(self, top: float, second: float) -> float:
        z = self.score * top + self.margin * (top - second) + self.bias
        return 1.0 / (1.0 + math.exp(-z))


class Policy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    calibration: Calibration
    # At or above: answer (if also ahead of the runner-up by min_margin).
    answer_threshold: float = Field(ge=0, le=1)
    # At or above (and below answering): offer the top candidates.
    suggest_threshold: float = Field(ge=0, le=1)
    # Calibrated-confidence gap to the runner-up's confidence needed to answer outright.
    min_margin: float = Field(ge=0, le=1)
    # How many candidates a did-you-mean offers.
    suggestions: int = Field(ge=1, le=5)
    # Below this, an out-of-scope verdict on a question that uses the handbook's
    # vocabulary is not trusted: the in-scope candidates are offered instead.
    null_min_confidence: float = Field(ge=0, le=1)
    # Without the handbook's vocabulary a question is declined unless it matches
    # an example at least this closely (typos such as 登緑 lose the vocabulary, not the match).
    off_topic_min_confidence: float = Field(ge=0, le=1)
    # Small talk has no handbook vocabulary by nature; it needs only to be recognised clearly.
    smalltalk_min_confidence: float = Field(ge=0, le=1)

    def decide(self, ranked: list[tuple[str, float]], on_topic: bool, other_vendor: bool) -> Decision:
        """Decide on ranked (intent, calibrated confidence) pairs, best first.

        Declined: other vendors' products, the out-of-scope intent (unless doubtful
        on an on-topic question), questions without the handbook's vocabulary.
        """
        intent, confidence = ranked[0]
        runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
        if other_vendor:
            return "out_of_scope"
        if intent == "null":
            return "did_you_mean" if on_topic and confidence < self.null_min_confidence else "out_of_scope"
        floor = self.smalltalk_min_confidence if intent.startswith("smalltalk.") else self.off_topic_min_confidence
        if not on_topic and confidence < floor:
            return "out_of_scope"
        if confidence >= self.answer_threshold and confidence - runner_up >= self.min_margin:
            return "answer"
        if confidence >= self.suggest_threshold:
            return "did_you_mean"
        return "out_of_scope"


def load_policy(path: Path = POLICY_FILE) -> Policy:
    with path.open(encoding="utf-8") as fh:
        return Policy.model_validate(yaml.safe_load(fh))


@lru_cache(maxsize=1)
def default_policy() -> Policy:
    return load_policy()
