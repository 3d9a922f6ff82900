"""The consultation report of a process (facilitators)."""
