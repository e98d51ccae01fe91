"""Actions aimed at people and processes rather than at components (registered on import of
``actions``): asking another team or a customer to act, pausing a pipeline, posting to the
public status page and paging a team.

Their targets are names the scenario declares: a party (``parties``), a pipeline
(``pipelines``) or a journey (the public service a status update is about). The engine gives
them their effect (``chaosgame.engine.parties``); a scenario without parties, pipelines or a
status page refuses them with a sentence that says so.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from chaosgame.scenario.actions import SIDE_EFFECTS, MitigationBase, mitigation

PARTY_TARGETS = ("party", "pipeline", "journey")
"""Target kinds of these actions: names from the scenario's parties, pipelines or journeys."""

SIDE_EFFECTS.update(
    {
        "request": "none on our side; they act at their own pace, and only part of their "
        "clients may ever adopt the change",
        "pause-pipeline": "its later waves and re-applies stop too, good ones included, until "
        "the incident is over",
        "post-status": "none in the system; customers read it (the score counts the cadence)",
        "page-team": "takes another team's time; they answer at their own pace",
    }
)


@mitigation(
    "request",
    topics=("incident-response",),
    summary="ask another team or a customer (target) to take one of their actions (`ask`)",
    delay_s=60,
    targets=("party",),
)
class Request(MitigationBase):
    action: Literal["request"]
    ask: str = Field(description="the action they are asked to take, by its name")


@mitigation(
    "pause-pipeline",
    topics=("ci-cd", "incident-response"),
    summary="pause a deploy or config pipeline (target): no more waves, no more re-applies",
    delay_s=30,
    targets=("pipeline",),
)
class PausePipeline(MitigationBase):
    action: Literal["pause-pipeline"]


@mitigation(
    "post-status",
    topics=("incident-response",),
    summary="post an update about a journey (target) on the public status page",
    delay_s=10,
    targets=("journey",),
)
class PostStatus(MitigationBase):
    action: Literal["post-status"]
    state: Literal["investigating", "identified", "monitoring", "resolved"] = Field(
        default="investigating", description="where the incident stands, as customers read it"
    )
    message: str = Field(default="", max_length=500, description="what customers read")


@mitigation(
    "page-team",
    topics=("incident-response", "alerting-runbooks"),
    summary="page another team (target) to join the incident",
    delay_s=10,
    targets=("party",),
)
class PageTeam(MitigationBase):
    action: Literal["page-team"]
    message: str = Field(default="", max_length=500, description="what the page says")
