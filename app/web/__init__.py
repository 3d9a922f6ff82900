"""What stands between HTTP and the features: the request boundary (one transaction per request), refusals shown on
the page (and a view's one action, actions.py), shared form fields, URLs, security headers, languages, error pages,
static files, rate limits, health."""
