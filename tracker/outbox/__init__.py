"""The leased outbox shared by webhooks (``delivery``) and mail (``mail_message``).

Both tables have the same shape (state, attempts, next_attempt_at, claimed_by, claimed_until, created_at):
``lease`` claims and releases rows, ``schedule`` says when a failed row is tried again, ``loop`` runs the
claim → send in parallel → record cycle with a pool of sender threads, ``wake`` lets PostgreSQL's
``LISTEN/NOTIFY`` start a round as soon as rows are committed, and ``stats`` gives the queue metrics.
"""
