"""Broadcast: feeds, calendars, webhooks (outbox, signing, sender) and the event log."""
