"""Domain events that let one feature react to another without importing it.

Receivers run inside the sender's transaction (they flush, never commit).
"""

from blinker import Namespace

_signals = Namespace()

# Sent with response=<Response> when a response becomes complete (web or paper).
response_completed = _signals.signal("response-completed")
