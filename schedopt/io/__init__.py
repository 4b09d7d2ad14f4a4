"""Readers and writers: PSPLIB, Patterson, OR-Library, schedopt JSON."""

from .dispatch import read, read_schedule, register_reader, write

__all__ = ["read", "read_schedule", "register_reader", "write"]
