"""What stands between HTTP and the features: the request boundary (one transaction per request) and the helpers
that turn a refused action into what the person reads on the page."""
