"""gunicorn's logger with tokens redacted (``logger_class`` in gunicorn.conf.py; see app/compliance/log_redaction.py).

Every value an access-log format can name (request line, path, query, referer, any header or environ value) is
redacted before formatting, so a custom ``access_log_format`` stays safe; the cookie and authorization headers are
never written at all. The error log ("Error handling request /r/…") goes through the same redaction.
"""

from gunicorn.glogging import Logger

from app.compliance.log_redaction import REDACTED, RedactTokens, redact

_CREDENTIAL_ATOMS = {"{cookie}i", "{authorization}i", "{set-cookie}o"}


class RedactingLogger(Logger):
    _filter = RedactTokens()

    def setup(self, cfg) -> None:
        super().setup(cfg)
        self.error_log.addFilter(self._filter)  # addFilter ignores a filter already there (configuration reload)

    def atoms(self, resp, req, environ, request_time) -> dict:
        atoms = super().atoms(resp, req, environ, request_time)
        return {
            key: REDACTED if key in _CREDENTIAL_ATOMS else (redact(value) if isinstance(value, str) else value)
            for key, value in atoms.items()
        }
