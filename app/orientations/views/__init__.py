"""The orientation views by audience: ``facilitators`` (themes, suggestions, draft orientations), ``partners``
(published orientations, comments, contributions), ``public`` (the "vous avez dit" page)."""
