"""The help formatter of every ``schedopt`` command line parser (shows the defaults)."""

from __future__ import annotations

import argparse


class HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """``(default: X)`` after each option with a default worth showing (not ``None``/``False``)."""

    def _get_help_string(self, action: argparse.Action) -> str:
        help_text = action.help or ""
        if "(default" in help_text or any(action.default is v for v in (None, False, argparse.SUPPRESS)):
            return help_text
        if action.option_strings or action.nargs in (argparse.OPTIONAL, argparse.ZERO_OR_MORE):
            return f"{help_text} (default: %(default)s)".strip()
        return help_text
