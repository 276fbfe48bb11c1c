"""Use cases. The only place that commits; raises ``matchmaker.services.errors`` on bad input."""
