"""Proposals: create, accept, reject."""
