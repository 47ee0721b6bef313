"""The template side: generate a service from the plan, build it, update fleets."""
