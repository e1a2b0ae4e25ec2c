"""Inquiries on a solution ("ask once, answered for all 98") and shared risk assessments."""
