"""The registry: the only writer of solutions and change events (services), and its reads (queries)."""
