"""TU-tracker: the shared registry of TU-løsninger. ``create_app`` builds the app; nothing happens at import."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: config, database, i18n, security, API, web pages, CLI, error handlers."""
    app = Flask(__name__, instance_relative_config=True, template_folder="web/templates", static_folder="web/static")

    from tracker import blueprints, cors, db, errors, http_cache, i18n, metrics, security, settings
    from tracker.api import init_app as init_api
    from tracker.auth import init_app as init_auth
    from tracker.auth import protect
    from tracker.cli import init_app as init_cli
    from tracker.web import init_app as init_web

    settings.load_config(app, test_config)
    from tracker import crypto

    crypto.configure(crypto.keys_from_config(app.config["ENCRYPTION_KEYS"], app.config["SECRET_KEY"]))
    db.init_app(app)
    i18n.init_app(app)
    http_cache.init_app(app)  # before security: its after-request hook then runs last, on the final response
    security.init_app(app)
    cors.init_app(app)
    init_auth(app)
    protect.init_app(app)  # templates ask the policy table too: may("solution.edit")
    metrics.init_app(app)
    api = init_api(app)
    init_web(app)
    blueprints.register_all(app, api)
    from tracker.api.openapi import document_security

    document_security(app, api.spec)  # once every route is in the document
    init_cli(app)
    errors.init_app(app)  # after the API, whose own error handlers ours replace
    connect_features()
    return app


def connect_features() -> None:
    """Connect the receivers of the app's signals (``tracker.signals``): the senders never import them.

    Each receiver is a module-level function, connected strongly; connecting it again (every ``create_app``)
    keeps one connection.
    """
    from tracker import signals
    from tracker.actions import sync as action_sync
    from tracker.broadcast import outbox
    from tracker.inquiries import queries as inquiry_queries
    from tracker.municipalities import data_version
    from tracker.municipalities import readiness_events as readiness
    from tracker.notify import notices
    from tracker.notify import recipients as mail_recipients

    signals.change_event_appended.connect(outbox.enqueue, weak=False)  # webhook deliveries, same transaction
    signals.change_event_appended.connect(mail_recipients.enqueue, weak=False)  # immediate e-mail rows
    signals.mail_recipients.connect(
        inquiry_queries.mail_rules, weak=False
    )  # the vendor hears of a question; those waiting the rest
    signals.proposal_decided.connect(notices.proposal_decided, weak=False)  # the proposer hears the outcome
    signals.proposal_created.connect(
        notices.proposal_created, weak=False
    )  # coordinators who asked hear of new proposals
    signals.scrape_run_finished.connect(notices.run_recorded, weak=False)  # and of what the scrapers found
    signals.solution_changing.connect(readiness.watch_solution, weak=False)  # readiness verdicts around a change
    signals.change_event_appended.connect(action_sync.on_change_event, weak=False)  # actions follow the registry
    # Events appended together (a change reaching many municipalities): the same receivers, set-based.
    signals.change_events_appended.connect(outbox.enqueue_events, weak=False)
    signals.change_events_appended.connect(mail_recipients.enqueue_events, weak=False)
    signals.change_events_appended.connect(action_sync.on_change_events, weak=False)
    signals.actions_followed_registry.connect(notices.actions_followed_registry, weak=False)  # and tell the owners
    data_version.init_app()  # IdP and portfolio writes raise their municipality's data_version
