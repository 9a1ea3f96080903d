"""Glob patterns turned into PostgreSQL patterns (pure functions)."""

import re


def glob_to_regex(glob: str) -> str:
    """A glob over a whole string as a PostgreSQL regular expression (``*`` any run, ``?`` one)."""
    out = ["^"]
    for char in glob:
        if char == "*":
            out.append(".*")
        elif char == "?":
            out.append(".")
        else:
            out.append(re.escape(char))
    out.append("$")
    return "".join(out)


def glob_to_like(glob: str) -> str:
    """A glob as an ILIKE pattern (backslash escapes); empty matches anything."""
    if not glob:
        return "%"
    escaped = glob.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped.replace("*", "%").replace("?", "_")
