"""What stands between HTTP and the features: the request boundary (one transaction per request), refusals shown on
the page, shared form fields, URLs, security headers, languages, error pages, static files, rate limits, health."""
