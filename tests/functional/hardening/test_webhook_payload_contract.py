"""Webhook bodies keep the documented contract: one schema per kind of event, every type in the OpenAPI document,
and real deliveries of every event type — sent by the worker to a receiver on loopback — are read by a client
that openapi-python-client (a generator we did not write) generates from the document."""

from __future__ import annotations

import importlib
import json
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import select

from tests.support.accounts import make_user
from tests.support.apps import migrated_app
from tests.support.broadcast import receiver, subscribe, token_for
from tracker.api.openapi import payload_types
from tracker.broadcast.outbox import TEST_EVENT_TYPE, enqueue_test
from tracker.broadcast.worker import run_once
from tracker.db import get_db
from tracker.models import Municipality, Subscription
from tracker.municipalities import services as municipality_services
from tracker.registry.actors import SYSTEM
from tracker.registry.events import EVENT_TYPES
from tracker.registry.services import create_solution, update_solution
from tracker.registry.transition_writes import create_transition, update_transition

LOOPBACK_CONFIG = {"WEBHOOK_ALLOWED_NETWORKS": "127.0.0.0/8", "WEBHOOK_CONNECT_TIMEOUT": 2.0, "SERVER_NAME": None}
QUESTION = "Hvornår skifter KMD Nexus til NSIS, og hvilket sikringsniveau kræves for medarbejdere?"


def _every_kind_of_event(app: Flask, receiver_url: str) -> None:
    """One real change of every event type, through the services and the API, committed.

    ``action.updated`` reaches only the municipality's own subscribers: the asker (a KK user) subscribes too."""
    with get_db(app).unit_of_work() as session:
        solution = create_solution(session, actor=SYSTEM, slug="x-kontrakt", name="Kontrakttest", fields={})
        update_solution(session, solution, {"description": "Beskrivelse"}, actor=SYSTEM)
        update_solution(
            session,
            solution,
            {"loa_value": "hoej", "loa_status": "expected", "loa_evidence": "KL's webinar"},
            actor=SYSTEM,
            reason="Webinar",
        )
        kbh = session.scalar(select(Municipality).where(Municipality.code == "101"))
        assert kbh is not None
        municipality_services.create_idp(
            session, kbh, {"name": "KK IdP", "notified_loa": "betydelig", "is_primary": True}, actor=SYSTEM
        )
        municipality_services.add_to_portfolio(session, kbh, solution.slug, actor=SYSTEM)
        day = date(2031, 3, 1)
        changes = {"switch_earliest_on": day, "switch_latest_on": day, "switch_state": "planned"}
        update_solution(session, solution, changes, actor=SYSTEM)  # switch date, and KK's row turns at risk
        transition = create_transition(session, solution, {"kind": "protocol", "title": "OIOSAML 4"}, actor=SYSTEM)
        update_transition(session, transition, {"earliest_on": date(2031, 6, 1), "major": True}, actor=SYSTEM)
        update_transition(session, transition, {"state": "cancelled"}, actor=SYSTEM)
        asker = make_user(session, "spoerger@kk.example.dk", "municipality", municipality="101")
        subscribe(session, asker, receiver_url)
        vendor = make_user(session, "svar@kmd.example.dk", "vendor", organisation="kmd")
        tokens = {
            "asker": token_for(session, asker),
            "vendor": token_for(session, vendor),
            "coordinator": token_for(session, make_user(session, "k2@kl.example.dk", "coordinator")),
        }
    client = app.test_client()

    def post(path: str, who: str, body: dict[str, Any]) -> dict[str, Any]:
        answer = client.post(path, json=body, headers={"Authorization": f"Bearer {tokens[who]}"})
        assert answer.status_code in (200, 201), (path, answer.get_json())
        result: dict[str, Any] = answer.get_json()
        return result

    first = post("/api/v1/solutions/kmd-nexus/inquiries", "asker", {"question": QUESTION})["id"]
    post(f"/api/v1/inquiries/{first}/asked", "coordinator", {"note": "Sendt til KMD"})
    post(f"/api/v1/inquiries/{first}/answer", "vendor", {"answer": "Betydelig fra 1. marts 2031."})
    second = post(
        "/api/v1/solutions/kmd-nexus/inquiries", "asker", {"question": "Gælder kravet også vikarer?", "force": True}
    )["id"]
    post(f"/api/v1/inquiries/{second}/close", "coordinator", {"reason": "Dublet"})

    # KK's own action for the row at risk: its owner starts on it.
    asker = {"Authorization": f"Bearer {tokens['asker']}"}
    listed = client.get("/api/v1/municipalities/101/actions", headers=asker)
    assert listed.status_code == 200, listed.get_json()
    action_id = listed.get_json()["items"][0]["id"]
    etag = client.get(f"/api/v1/municipalities/101/actions/{action_id}", headers=asker).headers["ETag"]
    changed = client.patch(
        f"/api/v1/municipalities/101/actions/{action_id}",
        json={"status": "in_progress"},
        headers={**asker, "If-Match": etag},
    )
    assert changed.status_code == 200, changed.get_json()


def _generate_client(spec: dict[str, Any], target: Path) -> Any:
    generator = shutil.which("openapi-python-client", path=str(Path(sys.executable).parent))
    assert generator, "openapi-python-client is in the test extras"
    (target / "openapi.json").write_text(json.dumps(spec))
    (target / "config.yml").write_text(
        "content_type_overrides:\n"
        "  application/vnd.openxmlformats-officedocument.spreadsheetml.sheet: application/octet-stream\n"
    )
    result = subprocess.run(
        [
            generator,
            "generate",
            "--path",
            str(target / "openapi.json"),
            "--meta",
            "none",
            "--output-path",
            str(target / "hook_client"),
            "--config",
            str(target / "config.yml"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env={"PATH": str(Path(sys.executable).parent)},
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return target


def _model(name: str) -> Any:
    """The generated class of a component schema (``SolutionEventPayload`` in ``models/solution_event_payload``)."""
    module = "".join("_" + c.lower() if c.isupper() else c for c in name).lstrip("_")
    return getattr(importlib.import_module(f"hook_client.models.{module}"), name)


def test_every_delivered_event_type_matches_its_documented_schema(fresh_db: str, tmp_path: Path) -> None:
    with migrated_app(fresh_db, **LOOPBACK_CONFIG) as app, receiver() as rx:
        spec = app.test_client().get("/api/v1/openapi.json").get_json()
        schemas = spec["components"]["schemas"]
        union = schemas["WebhookPayload"]
        mapping = union["discriminator"]["mapping"]
        # Every type a delivery can carry is documented, each with its own schema.
        assert set(mapping) == {*EVENT_TYPES, TEST_EVENT_TYPE} == set(payload_types())
        for event_type, ref in mapping.items():
            body = schemas[ref.rsplit("/", 1)[-1]]
            assert event_type in body["properties"]["type"]["enum"]
        with get_db(app).unit_of_work() as session:
            owner = make_user(session, "kontrakt@kl.example.dk", "coordinator")
            subscription, _secret = subscribe(session, owner, rx.url())
            subscription_id = subscription.id
        _every_kind_of_event(app, rx.url())
        with get_db(app).unit_of_work() as session:
            found = session.get(Subscription, subscription_id)
            assert found is not None
            enqueue_test(session, found)
        report = run_once(app)
        assert report.failed == 0
        bodies = [json.loads(r.body) for r in rx.received]
        assert {b["type"] for b in bodies} == {*EVENT_TYPES, TEST_EVENT_TYPE}, "a real delivery of every type"

        _generate_client(spec, tmp_path)
        sys.path.insert(0, str(tmp_path))
        try:
            models = {name: _model(ref.rsplit("/", 1)[-1]) for name, ref in mapping.items()}
            for body in bodies:
                parsed = models[body["type"]].from_dict(body)
                assert parsed.to_dict()["type"] == body["type"]
                # Nothing the sender wrote is unknown to the schema: no additional properties anywhere.
                _no_additional(parsed, body["type"])
                # And no other kind's schema accepts it: the union is told apart by its type.
                for other_type, model in models.items():
                    if model is models[body["type"]]:
                        continue
                    try:
                        model.from_dict(body)
                    except (KeyError, ValueError, TypeError):
                        continue
                    raise AssertionError(f"{other_type}'s schema accepts a {body['type']} body")
        finally:
            sys.path.remove(str(tmp_path))
            for name in [m for m in sys.modules if m == "hook_client" or m.startswith("hook_client.")]:
                del sys.modules[name]


def _no_additional(model: Any, where: str) -> None:
    """A generated model keeps fields its schema does not name in ``additional_properties``: the body and its
    ``data`` (and the objects in it with fixed fields) must have none. ``changes`` is a map: its keys are free."""
    for part in (
        model,
        model.data,
        *(getattr(model.data, f, None) for f in ("idp", "action", "inquiry", "source", "transition")),
    ):
        extra = getattr(part, "additional_properties", None) or {}
        assert not extra, f"{where}: fields the document does not name: {sorted(extra)}"
