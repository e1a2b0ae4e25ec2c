"""E-mail to people: preferences, the mail outbox, immediate alerts and daily/weekly digests, SMTP sending.

Immediate mail rows are written in the change event's transaction (``recipients.enqueue``); digests are
derived from the events of a finished period by ``tracker notify`` and the scheduler job ``send_mail``.
"""
