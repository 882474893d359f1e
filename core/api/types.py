"""Bounded integer types for API input. Every id, size and count a client sends fits a signed
64-bit database column, so an absurd number is refused with 422 before it reaches a query."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, Strict

MAX_BIGINT = 2**63 - 1

Id = Annotated[int, Field(ge=1, le=MAX_BIGINT)]
"""A primary key: 1 .. 2**63-1."""

Size = Annotated[int, Field(ge=0, le=MAX_BIGINT)]
"""A size in bytes or a count: 0 .. 2**63-1."""

Flag = Annotated[bool, Strict()]
"""A yes/no in a JSON body: true or false, not 0, 1 or "yes"."""
