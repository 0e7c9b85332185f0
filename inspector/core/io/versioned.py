"""One reader, one policy, for every versioned JSON file Inspector keeps (project.json, model.json, the
imported-weights index, the recent-projects list).

- not there: ``FileNotFoundError`` (the caller decides whether that means "empty" or "not a project");
- unreadable, not JSON, not an object, or without an integer version: ``damaged`` is raised with the reason;
- a version newer than this Inspector understands: ``too_new`` is raised, so the file is never misread, and a
  caller that rewrites the file (a list, an index) must not rewrite it either;
- otherwise the parsed object.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..errors import InspectorError


class DamagedFileError(InspectorError):
    pass


class TooNewFileError(InspectorError):
    pass


def read_versioned(path: str | Path, supported: int, *, key: str = "version", what: str = "file",
                   damaged: type[Exception] = DamagedFileError, too_new: type[Exception] = TooNewFileError) -> dict:
    """Read ``path`` (JSON with an integer ``key``) under the policy above; ``what`` names the file in messages."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise
    except (OSError, UnicodeDecodeError) as exc:
        raise damaged(f"the {what} {path} cannot be read: {exc}") from None
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise damaged(f"the {what} {path} is damaged (not JSON: {exc})") from None
    if not isinstance(data, dict):
        raise damaged(f"the {what} {path} is damaged (a JSON {type(data).__name__}, not an object)")
    version = data.get(key)
    if not isinstance(version, int) or isinstance(version, bool):
        raise damaged(f"the {what} {path} has no format version")
    if version > supported:
        raise too_new(f"the {what} {path} was written by a newer Inspector (format {version}; this version reads up "
                      f"to {supported}). Update Inspector to use it.")
    return data
