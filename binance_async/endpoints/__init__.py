"""Endpoint tables: what each REST call is, as data."""

from __future__ import annotations

from ._endpoint import Endpoint, Security

__all__ = ["Endpoint", "Security"]
