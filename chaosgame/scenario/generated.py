"""Where a generated scenario came from: ``chaosgame generate`` writes this section so a file
says which seed code (and generator version) makes it again."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field


class Generated(BaseModel):
    """The seed code and settings a generated scenario was made from."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: Annotated[str, Field(pattern=r"^[0-9A-Z]{4}-[0-9A-Z]{4}$")] = Field(
        description="the seed code: `chaosgame generate --seed CODE` makes this file again"
    )
    version: int = Field(ge=1, le=7, description="the generator version that made it")
    difficulty: Literal["easy", "normal", "hard", "expert"] = Field(
        description="the difficulty setting it was made at"
    )
    topic: str | None = Field(default=None, description="the topic asked for, if any")
    archetype: str = Field(description="the kind of system generated (shop, payments, ...)")
