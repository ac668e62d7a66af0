"""The exam and account rules in plain Python: no Flask, no database queries.

Each function takes plain data and returns what is wrong, in French source strings that the
caller translates (they are marked with `N_` so that extraction finds them).
"""


def N_(message: str) -> str:
    """Mark a string for extraction; it is translated where it is shown."""
    return message
