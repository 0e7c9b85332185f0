"""The one base for problems a user can fix: a wrong setting, a missing or unreadable file, a damaged project.

The CLI prints these as one line (exit status 2) and the app shows them in its message bar; anything else
is a bug and keeps its traceback. Classes that used to be ``ValueError`` still are, so callers that caught
that keep working.
"""

from __future__ import annotations


class InspectorError(Exception):
    """A problem the user can fix; ``str(exc)`` is the whole message, written for them."""


class InvalidInput(InspectorError, ValueError):
    """A setting or argument out of its range (a coreset ratio of 0, an unknown device, crossed thresholds)."""
