"""Readers and writers: PSPLIB, Patterson, OR-Library, schedopt JSON."""

from ..registry import register_reader
from .dispatch import read, read_schedule, write

__all__ = ["read", "read_schedule", "register_reader", "write"]
