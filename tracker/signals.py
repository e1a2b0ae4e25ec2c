"""When something happens, who hears of it: the app's one signal namespace (blinker, as indico's ``signals``).

A feature sends a named signal where the thing happens; the features that react connect receivers once, at
app start (``tracker.create_app`` → ``connect_features``), so the sender never imports them and the
dependencies keep pointing down. Receivers run at once, in the sender's transaction, and only ``flush()``.

Each signal's sender is the thing that happened (an event, a solution, a proposal, a run); the session comes as
the keyword ``session``. Receivers are module-level functions (connected strongly, once however many apps a
process builds: blinker keeps one connection per receiver).

- ``change_event_appended`` (``registry.events.append_event``; the event): broadcast's webhook deliveries and
  the immediate mail rows.
- ``change_events_appended`` (``registry.events.append_events``; a tuple of events appended together): the
  same receivers, set-based (a fixed number of statements per batch).
- ``solution_changing`` (``registry.services``, before a solution's facts change; ``registry.transition_writes``,
  before one of its transitions is written, with the keyword ``transitions=True``; the solution): readiness
  verdicts and lock-out periods; each receiver returns a callback ``(actor, reason)`` that runs after the change.
- ``proposal_created`` (``review.services``, a person's pending proposal): coordinators' alerts.
- ``proposal_decided`` (``review.services``, accepted or rejected): the proposer's notice.
- ``scrape_run_finished`` (``ingest.services.record``, a run with news; keywords ``source``, ``news``):
  coordinators' alerts.
- ``mail_recipients`` (asked by ``notify.recipients``; no sender): each receiver returns
  ``{event type: rule}`` for its own feature's events (inquiries).
- ``actions_followed_registry`` (``actions.sync``, the registry reopened, closed or moved municipalities' actions;
  the sender is a tuple of those actions): the owners' notices.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

change_event_appended = _signals.signal(
    "change-event-appended", doc="A change event was appended (sender: the event; keyword: session)."
)
solution_changing = _signals.signal(
    "solution-changing",
    doc="A solution's facts, or one of its transitions (keyword ``transitions=True``), are about to change "
    "(sender: the solution; keyword: session). Each receiver returns a callable ``(actor, reason)`` that runs "
    "after the change.",
)
change_events_appended = _signals.signal(
    "change-events-appended",
    doc="Several change events were appended together (sender: a tuple of the events; keyword: session).",
)
proposal_created = _signals.signal(
    "proposal-created", doc="A person's proposal waits for review (sender: the proposal; keyword: session)."
)
proposal_decided = _signals.signal(
    "proposal-decided", doc="A proposal was accepted or rejected (sender: the proposal; keyword: session)."
)
scrape_run_finished = _signals.signal(
    "scrape-run-finished",
    doc="A scrape run with news was recorded (sender: the run; keywords: session, source, news).",
)
mail_recipients = _signals.signal(
    "mail-recipients",
    doc="Which of a feature's event types are mailed, and to whom: each receiver returns a mapping "
    "event type → rule ``(user, scope, event, context) -> bool`` (sender: None).",
)
actions_followed_registry = _signals.signal(
    "actions-followed-registry",
    doc="The registry reopened, closed or moved the due day of municipalities' actions (sender: a tuple of the "
    "actions, each at its new version; keyword: session).",
)
