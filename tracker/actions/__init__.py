"""A municipality's actions (issue 27): owner, status, due day and history for each row that asks it to act.

- ``access``: who may see and change actions (one place; the municipality's own users only);
- ``sync``: actions follow the registry — materialised from readiness rows, reopened, moved or closed with a
  reason when the registry changes (a receiver of ``signals.change_event_appended``);
- ``services``: a person's changes (validated, with history, read marks and the ``action.updated`` event);
- ``queries``: lists with filters, the progress summary and KL's national counts (never notes or owners).
"""
