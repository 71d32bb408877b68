"""The simulator's API errors: one exception carrying HTTP status, code and message."""

from __future__ import annotations

__all__ = [
    "DECIMAL_PATTERN",
    "ApiError",
    "bad_symbol",
    "illegal_chars",
    "invalid_param",
    "mandatory",
    "not_required",
]

DECIMAL_PATTERN = r"^([0-9]{1,20})(\.[0-9]{1,20})?$"


class ApiError(Exception):
    """A refusal answered as ``{"code": code, "msg": msg}`` with an HTTP status."""

    def __init__(self, code: int, msg: str, *, status: int = 400) -> None:
        super().__init__(f"{code}: {msg}")
        self.code = code
        self.msg = msg
        self.status = status

    def payload(self) -> dict[str, object]:
        """The JSON body of the refusal."""
        return {"code": self.code, "msg": self.msg}


def mandatory(name: str) -> ApiError:
    """-1102: a mandatory parameter is missing, empty or malformed."""
    return ApiError(
        -1102, f"Mandatory parameter '{name}' was not sent, was empty/null, or malformed."
    )


def illegal_chars(name: str) -> ApiError:
    """-1100: a decimal parameter does not match the exchange's pattern."""
    return ApiError(
        -1100,
        f"Illegal characters found in parameter '{name}'; legal range is '{DECIMAL_PATTERN}'.",
    )


def invalid_param(name: str) -> ApiError:
    """-1130: a parameter's value is not valid."""
    return ApiError(-1130, f"Data sent for parameter '{name}' is not valid.")


def not_required(name: str) -> ApiError:
    """-1106: a parameter was sent where the order type does not take it."""
    return ApiError(-1106, f"Parameter '{name}' sent when not required.")


def bad_symbol() -> ApiError:
    """-1121: the symbol is not listed."""
    return ApiError(-1121, "Invalid symbol.")
