"""Business rules. Functions take the session and the acting user, flush but never commit, and
raise DomainError subclasses that views show to the user as messages."""
