"""What every layer of Concerto relies on and that depends on no feature (today: the domain error type)."""
