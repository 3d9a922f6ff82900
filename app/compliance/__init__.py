"""Quebec's Law 25 and the operator's duties: the audit trail, a person's data (access and erasure), retention,
whole-database backup, and logs without working links."""
