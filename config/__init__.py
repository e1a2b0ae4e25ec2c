"""Configuration layers: ``default`` ← ``<TRACKER_ENV>`` file ← ``TRACKER_*`` environment variables."""
