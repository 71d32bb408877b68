"""Declared models: each attribute names its wire key and the conversion that reads it.

``@model`` makes a frozen, slotted, keyword-only attrs class whose ``from_payload`` reads each
``wire(...)`` field from the answer's object, and keeps the object as ``raw``. A required key
that is missing raises ``KeyError``; a value of the wrong type ``TypeError``/``ValueError``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any, ClassVar, Self, TypeVar, dataclass_transform

import attrs

__all__ = [
    "RAW",
    "Conv",
    "Model",
    "build",
    "event_builder",
    "model",
    "slot_builder",
    "to_bool",
    "to_cap",
    "to_dec",
    "to_int",
    "to_opt_dec",
    "to_opt_int",
    "to_opt_str",
    "to_str",
    "wire",
]

Conv = Callable[[Any], Any]
M = TypeVar("M")

_NO_RAW: Mapping[str, Any] = {}
#: The raw answer, kept for fields not modelled.
RAW: Any = attrs.field(default=_NO_RAW, repr=False, eq=False)
_MISSING = object()


def to_dec(value: Any) -> Decimal:
    """A finite Decimal from the exchange's decimal string (or number); "" is zero."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise TypeError(f"not a decimal: {value!r}")
    if value == "":
        return Decimal(0)
    number = Decimal(value) if not isinstance(value, float) else Decimal(repr(value))
    if not number.is_finite():
        raise ValueError(f"not a finite number: {value!r}")
    return number


def to_opt_dec(value: Any) -> Decimal | None:
    """Like :func:`to_dec`, None for null or ""."""
    return None if value is None or value == "" else to_dec(value)


def to_cap(value: Any) -> Decimal | None:
    """A cap: a decimal, or None when unlimited (``"INF"``)."""
    if isinstance(value, str) and value.upper() in ("INF", "INFINITY"):
        return None
    return to_opt_dec(value)


def to_int(value: Any) -> int:
    """An integer (a digit string is accepted: some answers quote ids)."""
    if isinstance(value, bool):
        raise TypeError(f"not an integer: {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.lstrip("-").isdigit():
        return int(value)
    raise TypeError(f"not an integer: {value!r}")


def to_opt_int(value: Any) -> int | None:
    """Like :func:`to_int`, None for null or ""."""
    return None if value is None or value == "" else to_int(value)


def to_str(value: Any) -> str:
    """A string."""
    if not isinstance(value, str):
        raise TypeError(f"not a string: {value!r}")
    return value


def to_opt_str(value: Any) -> str | None:
    """A string, or None."""
    return None if value is None else to_str(value)


def to_bool(value: Any) -> bool:
    """A boolean (``"true"``/``"false"`` strings accepted: fapi quotes some)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise TypeError(f"not a boolean: {value!r}")


def wire(key: str, conv: Conv, default: Any = _MISSING) -> Any:
    """A model attribute read from ``key`` with ``conv``; without ``default`` it is required."""
    metadata = {"key": key, "conv": conv, "required": default is _MISSING}
    if default is _MISSING:
        return attrs.field(metadata=metadata)
    return attrs.field(default=default, metadata=metadata)


def build(cls: type[M], payload: Any, **extra: Any) -> M:
    """An instance of the ``@model`` class ``cls`` from one answer object."""
    if not isinstance(payload, Mapping):
        raise TypeError(f"{cls.__name__}: expected an object, got {type(payload).__name__}")
    values: dict[str, Any] = {}
    for name, key, conv, required in cls.__wire_fields__:  # type: ignore[attr-defined]
        value = payload.get(key, _MISSING)
        if value is _MISSING or value is None:
            if required:
                raise KeyError(f"{cls.__name__}: {key} is missing")
            continue
        values[name] = conv(value)
    made: Any = cls
    result: M = made(**values, **extra, raw=payload)
    return result


class Model:
    """Base of the declared models: ``from_payload`` reads the ``wire`` fields."""

    __slots__ = ()
    __wire_fields__: ClassVar[tuple[tuple[str, str, Conv, bool], ...]] = ()

    @classmethod
    def from_payload(cls, payload: Any) -> Self:
        """Build from the exchange's answer object (``KeyError``/``TypeError``/``ValueError``
        when it is not one)."""
        return build(cls, payload)


@dataclass_transform(
    frozen_default=True, kw_only_default=True, field_specifiers=(wire, attrs.field)
)
def model(cls: type[M]) -> type[M]:
    """Make ``cls`` (a :class:`Model`) a frozen, slotted, keyword-only attrs class."""
    made = attrs.frozen(kw_only=True, slots=True)(cls)
    made.__wire_fields__ = tuple(  # type: ignore[attr-defined]
        (f.name, f.metadata["key"], f.metadata["conv"], f.metadata["required"])
        for f in attrs.fields(made)  # type: ignore[arg-type]
        if "key" in f.metadata
    )
    return made


def slot_builder(cls: type[M]) -> Callable[..., M]:
    """A positional constructor of the frozen, slotted attrs class ``cls``: every field, in
    declared order, written straight into its slot.

    For a hot ``from_payload`` that has read and checked each value itself: a frozen attrs
    ``__init__`` matches every keyword and pays ``object.__setattr__`` for each field, most of
    the cost of an 18-field order. Like attrs, it writes its function out once, unrolled (a
    loop over the fields would give back half the gain). No defaults, converters or
    validators run. ``TypeError`` unless ``cls`` is a slotted attrs class.
    """
    if not (attrs.has(cls) and "__slots__" in vars(cls)):
        raise TypeError(f"{cls.__name__}: slot_builder needs a slotted attrs class")
    names = [f.name for f in attrs.fields(cls)]
    namespace: dict[str, Any] = {"new": object.__new__, "cls": cls}
    lines = [f"def build({', '.join(names)}):", "    obj = new(cls)"]
    for i, name in enumerate(names):
        # The slot's descriptor, found on whichever class of the MRO declares it.
        namespace[f"set_{i}"] = getattr(cls, name).__set__
        lines.append(f"    set_{i}(obj, {name})")
    lines.append("    return obj")
    exec("\n".join(lines), namespace)
    build: Callable[..., M] = namespace["build"]
    build.__doc__ = f"A {cls.__name__} from its fields, positionally, in declared order."
    return build


def event_builder(cls: type[M]) -> Callable[[Mapping[str, Any], str | None], M]:
    """A fast ``(data, stream) -> event`` constructor of a frozen, slotted attrs event class
    whose fields are exactly ``symbol``, ``raw`` and ``stream`` (``symbol`` from ``data["s"]``).

    It fills the slots directly: a frozen attrs ``__init__`` pays ``object.__setattr__`` for
    each field, which a busy stream's hot path cannot afford (no validation: the stream is the
    exchange's).
    """
    names = sorted(f.name for f in attrs.fields(cls))  # type: ignore[arg-type]
    if names != ["raw", "stream", "symbol"]:
        raise TypeError(f"{cls.__name__}: fields must be raw, stream, symbol; got {names}")
    slots = vars(cls)
    set_raw = slots["raw"].__set__
    set_symbol = slots["symbol"].__set__
    set_stream = slots["stream"].__set__
    new = object.__new__

    def build(data: Mapping[str, Any], stream: str | None) -> M:
        obj: M = new(cls)
        set_raw(obj, data)
        set_symbol(obj, data["s"])
        set_stream(obj, stream)
        return obj

    build.__doc__ = f"A {cls.__name__} from a stream event (its fields read on access)."
    return build
