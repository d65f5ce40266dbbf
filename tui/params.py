"""Stepping a parameter's value with a key: one notch up or down, inside its range (no Textual).

The forms in the Transform and Decode stages are drawn from `Param`s (the transform registry's
and the Decode stage's); this is how a key press changes one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from textlatent.transforms import Param


@dataclass(frozen=True)
class Field:
    """One entry of a form: the value to show and how to step it."""

    key: str
    title: str
    value: Any
    param: Param | None = None
    choices: tuple[str, ...] = ()
    """For a field that is no registry parameter (edit's direction)."""
    base: float | None = None
    """Where an optional parameter (None = 'auto') starts when first stepped."""
    help: str = ""

    def shown(self) -> str:
        if self.value is None:
            return "auto" if self.base is None else f"auto ({self.base:g})"
        if isinstance(self.value, float):
            return f"{self.value:.2f}"
        return str(self.value)


def notch(param: Param) -> float:
    """How far one key press moves a number parameter."""
    if param.kind is int:
        return 1
    span = (param.high or 1.0) - (param.low or 0.0)
    return 0.05 if span <= 4 else 0.25


def step_value(field: Field, delta: int) -> Any:
    """The field's value moved `delta` notches (choices cycle; numbers stop at their range)."""
    choices = field.choices or (field.param.choices if field.param else ())
    if choices:
        here = choices.index(field.value) if field.value in choices else -1
        return choices[(here + delta) % len(choices)]
    param = field.param
    if param is None:
        return field.value
    value = field.value
    if value is None:
        value = field.base if field.base is not None else param.default
        if value is None:
            value = param.low or 0
    value = value + delta * notch(param)
    if param.kind is float:
        value = round(value / notch(param)) * notch(param)
        value = round(value, 6)
    low = -math.inf if param.low is None else param.low
    high = math.inf if param.high is None else param.high
    value = min(high, max(low, value))
    return int(value) if param.kind is int else float(value)
