"""Hostile strings for text fields: every one must be stored exactly (or refused with a message) and displayed
escaped, never causing a 500."""

HOSTILE_STRINGS = [
    "<script>alert('xss')</script>",
    '"><img src=x onerror=alert(1)>',
    "Robert'); DROP TABLE users;--",
    "' OR '1'='1",
    "%s %d %(name)s {0} {name} ${jndi:ldap://x}",
    "{{ 7*7 }} {% raw %}",
    "\u202eRTL override\u202c mark \u200f",
    "zero\u200bwidth\u200djoiner",
    "combining e\u0301\u0301\u0301 Z\u0351\u0352\u0357",
    "emoji 👩‍👩‍👧‍👦 🇨🇦 🎉",
    "français « guillemets » œuvre — ç",
    "x" * 4000,
    "line1\r\nline2\nline3\ttab",
    "   leading and trailing spaces   ",
]

# Refused with a clear message rather than stored.
NUL_STRING = "before\x00after"
