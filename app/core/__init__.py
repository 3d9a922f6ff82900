"""What every layer of Concerto relies on and that depends on no feature: extensions, database settings, domain
signals, the mail queue, work deferred after the response, labels of enum values, DomainError, and the
repeated queries (queries.py)."""
