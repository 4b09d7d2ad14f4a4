"""Replace one script's section of ``RESULTS.md``, leaving the other scripts' sections alone."""

from __future__ import annotations

from pathlib import Path


def write_section(results: Path, key: str, lines: list[str]) -> None:
    """Put ``lines`` between ``<!-- key -->`` and ``<!-- /key -->`` in ``results`` (appended if absent)."""
    start, end = f"<!-- {key} -->", f"<!-- /{key} -->"
    block = "\n".join([start, *lines, end])
    text = results.read_text() if results.exists() else ""
    if start in text and end in text:
        head, _, rest = text.partition(start)
        _, _, tail = rest.partition(end)
        text = head + block + tail
    else:
        text = (text.rstrip("\n") + "\n\n" if text else "") + block + "\n"
    results.write_text(text)
