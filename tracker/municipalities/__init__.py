"""Municipalities: IdPs, portfolios, readiness."""
