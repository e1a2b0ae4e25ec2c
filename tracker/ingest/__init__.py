"""Ingest: scrapers → proposals; scrape runs; source health."""
