"""The policy table: for every action, which roles may do it, to whose objects (ownership), in which state.

This module is the rule book and nothing else: no request, no database. ``tracker.auth.permissions`` reads it
(``may``, ``require``), ``tracker.auth.protect`` puts an action on every route (``@requires``), and no other
module compares roles (a test scans the code for it). A row reads

    "inquiry.answer": Policy(allow={COORDINATOR: ANY, ADMIN: ANY, VENDOR: SPEAKS_FOR}, state=INQUIRY_UNANSWERED)

— coordinators and admins answer any inquiry, a vendor's users the inquiries about solutions their
organisation builds or provides, and only while the inquiry is not answered or closed (else 409).

Ownership is a named predicate on the user and the object the action touches (a solution, an inquiry, a
municipality, a proposal, a subscription …); state is a named predicate on that object. Without an object
``may`` answers the role part only: "may this role do this to some object" (menus, the route guard).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from typing import Any

from tracker.i18n import translated
from tracker.models import User
from tracker.models.vocab import Role

COORDINATOR, ADMIN, VENDOR, MUNICIPALITY = Role.COORDINATOR, Role.ADMIN, Role.VENDOR, Role.MUNICIPALITY


def _l(text: str) -> str:
    """Marks a message id for the catalogue; ``permissions`` translates it when it refuses (in the request's
    language, Danish outside a request)."""
    return text


@dataclass(frozen=True)
class Ownership:
    """Whose objects a role may act on: a name (for tests and the documentation) and its predicate."""

    name: str
    test: Callable[[User, Any], bool]

    def __call__(self, user: User, obj: Any) -> bool:
        """Whether ``user`` may act on ``obj`` under this ownership rule."""
        return self.test(user, obj)


@dataclass(frozen=True)
class State:
    """In which state an object allows the action; outside it the request conflicts with the state (409)."""

    name: str
    test: Callable[[Any], bool]
    conflict: Callable[[Any], str]

    def __call__(self, obj: Any) -> bool:
        """Whether ``obj`` is in a state that allows the action."""
        return self.test(obj)


def _solution_of(obj: Any) -> Any:
    """The solution an object concerns: the object itself, or its ``solution``."""
    return getattr(obj, "solution", obj)


def _speaks_for(user: User, obj: Any) -> bool:
    solution = _solution_of(obj)
    org = user.organisation_id
    return org is not None and org in (solution.vendor_id, solution.service_provider_id)


def _builds(user: User, obj: Any) -> bool:
    org = user.organisation_id
    return org is not None and _solution_of(obj).vendor_id == org


def _provides(user: User, obj: Any) -> bool:
    org = user.organisation_id
    return org is not None and _solution_of(obj).service_provider_id == org


def municipality_id_of(obj: Any) -> int | None:
    """The municipality an object belongs to: an id, a municipality (or its cache state), or a row with one."""
    if isinstance(obj, int):
        return obj
    if hasattr(obj, "municipality_id"):
        return obj.municipality_id
    return getattr(obj, "id", None)


def _own_municipality(user: User, obj: Any) -> bool:
    own = user.municipality_id
    return own is not None and own == municipality_id_of(obj)


def _owner_id(obj: Any) -> int | None:
    for name in ("proposer_id", "owner_id", "user_id"):
        if hasattr(obj, name):
            return getattr(obj, name)
    return getattr(obj, "id", None)


def _own(user: User, obj: Any) -> bool:
    return _owner_id(obj) == user.id


def either(first: Ownership, second: Ownership) -> Ownership:
    """Ownership when one of two rules holds."""
    return Ownership(f"{first.name}|{second.name}", lambda user, obj: first(user, obj) or second(user, obj))


@dataclass(frozen=True)
class MailTopic:
    """What a mail would be about, for the recipient rules: the reader's chosen scope ('all' or 'portfolio'), the
    municipality concerned, the municipalities using the solution and the organisations behind it."""

    scope: str
    municipality_id: int | None = None
    users: AbstractSet[int] = frozenset()
    organisations: AbstractSet[int] = frozenset()


ANY = Ownership("any", lambda user, obj: True)
SPEAKS_FOR = Ownership("speaks_for", _speaks_for)  # the organisation builds or provides the solution
BUILDS = Ownership("builds", _builds)  # the organisation is the solution's vendor
PROVIDES = Ownership("provides", _provides)  # the organisation is the solution's service provider
OWN_MUNICIPALITY = Ownership("own_municipality", _own_municipality)
OWN = Ownership("own", _own)  # the user's own proposal, subscription, token …
AUTHORITY = Ownership("authority", lambda user, obj: _provides(user, obj) and not _builds(user, obj))
SCOPE_ALL = Ownership("scope_all", lambda user, obj: obj.scope == "all")  # a reader who asked for everything
USES_SOLUTION = Ownership("uses_solution", lambda user, obj: user.municipality_id in obj.users)
BEHIND_SOLUTION = Ownership("behind_solution", lambda user, obj: user.organisation_id in obj.organisations)


def _inquiry_conflict(inquiry: Any) -> str:
    if inquiry.state == "closed":
        return translated("Spørgsmål #%(id)s er lukket.", id=inquiry.id)
    return translated("Spørgsmål #%(id)s er allerede besvaret.", id=inquiry.id)


# I3: an answered (or closed) inquiry is not answered, joined, marked or closed again.
INQUIRY_UNANSWERED = State("inquiry_unanswered", lambda i: i.state in ("open", "asked"), _inquiry_conflict)
INQUIRY_NOT_CLOSED = State("inquiry_not_closed", lambda i: i.state != "closed", _inquiry_conflict)
PROPOSAL_OPEN = State(
    "proposal_open",
    lambda p: p.state in ("pending", "stale"),
    lambda p: f"Forslag #{p.id} er allerede behandlet ({p.state}).",
)
TRUSTED = State("trusted", lambda org: bool(org.trusted), lambda org: "Organisationen er ikke betroet.")
# N12: nobody is told of a decision they made themselves (the proposal's reviewer is not its proposer).
DECIDED_BY_OTHERS = State(
    "decided_by_others", lambda p: p.reviewed_by_id != p.proposer_id, lambda p: "Din egen afgørelse."
)


@dataclass(frozen=True)
class Policy:
    """One action's row: role → ownership, an optional state, and the words of a refusal.

    ``public``: anyone, anonymous visitors included (no check). ``allow`` empty and not public: any logged-in
    user (their own account). ``refusal``: the 403 when the role may not (None: the face's default);
    ``others``: the 403 when the role may, but not on this object (None: ``refusal``).
    """

    allow: Mapping[Role, Ownership] = field(default_factory=dict)
    public: bool = False
    any_user: bool = False
    state: State | None = None
    refusal: str | None = None
    others: str | Callable[[Any], str] | None = None


PUBLIC = Policy(public=True)
LOGGED_IN = Policy(any_user=True)
_MAINTAINERS = {COORDINATOR: ANY, ADMIN: ANY}
_ADMINS = {ADMIN: ANY}


def _municipality_refusal(municipality: Any) -> str:
    return (
        f"Du har ikke adgang til IdP'er, portefølje og parathed for {municipality.name}. "
        "Kun kommunens egne brugere og KL's koordinatorer har det."
    )


_ONLY_COORDINATORS = _l("Kun KL's koordinatorer kan gøre dette.")
_ANSWERERS = _l("Kun løsningens leverandør eller tjenesteudbyder og KL's koordinatorer kan svare.")
_OWN_SOLUTIONS = _l(
    "Leverandører og tjenesteudbydere kan kun foreslå ændringer til de løsninger, de leverer eller udbyder."
)
_OWN_TRANSITIONS = _l(
    "Leverandører og tjenesteudbydere kan kun foreslå overgange til de løsninger, de leverer eller udbyder."
)

POLICIES: dict[str, Policy] = {
    # Anyone: the public registry, feeds, calendars, log-in steps, health, static files.
    "public": PUBLIC,
    # Reachable without a login on purpose; the view checks what stands in for one. A municipality's private
    # feed and calendar: the feed token in the URL, else municipality.private. Logging out: any session, also
    # one below Substantial (anonymous: 401 in the view). Metrics: the operators' networks or token.
    "municipality.feed": PUBLIC,
    "session.end": PUBLIC,
    "operations.metrics": PUBLIC,
    # Any logged-in user: their own account, tokens, mail preference, their own proposals.
    "account": LOGGED_IN,
    # The registry.
    "solution.create": Policy(allow=_MAINTAINERS),
    "solution.edit": Policy(allow=_MAINTAINERS),
    "solution.impact": Policy(allow=_MAINTAINERS),
    "solution.propose": Policy(
        allow={COORDINATOR: ANY, ADMIN: ANY, MUNICIPALITY: ANY, VENDOR: SPEAKS_FOR}, others=_OWN_SOLUTIONS
    ),
    # The proposal form is for those without the edit form: municipalities, and vendors on their own solutions.
    "solution.propose_form": Policy(allow={MUNICIPALITY: ANY, VENDOR: SPEAKS_FOR}, others=_OWN_SOLUTIONS),
    # A new transition of a solution, or a change to one, as a proposal reviewed like the facts (issue 22): the
    # solution's vendor or service provider, any municipality's users, coordinators (the object: the solution).
    "transition.propose": Policy(
        allow={COORDINATOR: ANY, ADMIN: ANY, MUNICIPALITY: ANY, VENDOR: SPEAKS_FOR}, others=_OWN_TRANSITIONS
    ),
    # What the solution's vendor or service provider (or a coordinator) reports, e.g. with an answer.
    "solution.report": Policy(allow={COORDINATOR: ANY, ADMIN: ANY, VENDOR: SPEAKS_FOR}),
    "solution.see_users": Policy(allow=_MAINTAINERS),  # which municipalities use a solution
    # Who decides a fact's value: a service provider on the solutions it provides but does not build (its
    # proposals count as confirmed by the authority), coordinators on any.
    "fact.decide": Policy(allow={COORDINATOR: ANY, ADMIN: ANY, VENDOR: AUTHORITY}),
    # A municipality's correction must say what it saw (evidence); the others' proposals may go without.
    "proposal.without_evidence": Policy(allow={COORDINATOR: ANY, ADMIN: ANY, VENDOR: ANY}),
    # A trusted vendor's proposal is accepted at once (the object is the proposer's organisation).
    "proposal.accepted_at_once": Policy(allow={VENDOR: ANY}, state=TRUSTED),
    "proposal.review": Policy(allow=_MAINTAINERS, state=PROPOSAL_OPEN),
    "proposal.queue": Policy(allow=_MAINTAINERS),
    "proposal.read": Policy(allow={COORDINATOR: ANY, ADMIN: ANY, MUNICIPALITY: OWN, VENDOR: OWN}),
    "source.manage": Policy(allow=_MAINTAINERS),
    "organisation.manage": Policy(allow=_MAINTAINERS),
    "actor.identify": Policy(allow=_MAINTAINERS),  # the person behind a public actor label
    # Inquiries.
    "inquiry.ask": Policy(
        allow={COORDINATOR: ANY, ADMIN: ANY, MUNICIPALITY: ANY},
        refusal=_l("Kun kommuner og KL's koordinatorer kan stille spørgsmål."),
    ),
    "inquiry.join": Policy(
        allow={MUNICIPALITY: ANY}, state=INQUIRY_UNANSWERED, refusal=_l("Kun kommuner kan tilslutte sig et spørgsmål.")
    ),
    "inquiry.answer": Policy(
        allow={COORDINATOR: ANY, ADMIN: ANY, VENDOR: SPEAKS_FOR}, state=INQUIRY_UNANSWERED, refusal=_ANSWERERS
    ),
    "inquiry.mark_asked": Policy(allow=_MAINTAINERS, state=INQUIRY_UNANSWERED, refusal=_ONLY_COORDINATORS),
    "inquiry.close": Policy(allow=_MAINTAINERS, state=INQUIRY_NOT_CLOSED, refusal=_ONLY_COORDINATORS),
    "inquiry.triage": Policy(allow=_MAINTAINERS),
    # Who hears of a new question about a solution: the users of its vendor and service provider.
    "mail.inquiry_created": Policy(allow={VENDOR: SPEAKS_FOR}),  # the queue ordered oldest unanswered first
    "risk_assessment.record": Policy(
        allow=_MAINTAINERS, refusal=_l("Kun KL's koordinatorer kan registrere risikovurderinger.")
    ),
    # A municipality's private data: IdPs, portfolio, readiness, feeds' tokens, its own events.
    "municipality.private": Policy(
        allow={COORDINATOR: ANY, ADMIN: ANY, MUNICIPALITY: OWN_MUNICIPALITY}, others=_municipality_refusal
    ),
    "municipality.feed_tokens": Policy(
        allow={COORDINATOR: ANY, ADMIN: ANY, MUNICIPALITY: OWN_MUNICIPALITY},
        refusal=_l("Kun kommunens egne brugere og KL's koordinatorer kan se kommunens private feed-adresser."),
    ),
    "national.read": Policy(allow=_MAINTAINERS, refusal=_l("Din rolle giver ikke adgang til denne handling.")),
    # A municipality's actions (issue 27): its own users only — KL sees counts (national.read), never an action.
    "municipality.actions": Policy(
        allow={MUNICIPALITY: OWN_MUNICIPALITY},
        refusal=_l("Handlingerne er kommunens egne. Kun kommunens egne brugere har adgang til dem."),
        others=_l("Handlingerne er kommunens egne. Kun kommunens egne brugere har adgang til dem."),
    ),
    # Who may be named responsible for one of M's actions (issue 27): M's own users.
    "municipality.action_owner": Policy(allow={MUNICIPALITY: OWN_MUNICIPALITY}),
    # Webhook subscriptions: owned by municipality users, coordinators and admins.
    "subscription.manage": Policy(allow={COORDINATOR: ANY, ADMIN: ANY, MUNICIPALITY: ANY}),
    "subscription.filter_municipality": Policy(
        allow={COORDINATOR: ANY, ADMIN: ANY, MUNICIPALITY: OWN_MUNICIPALITY},
        others="Du kan kun filtrere på din egen kommunes portefølje.",
    ),
    # Administration.
    "user.manage": Policy(allow=_ADMINS),
    "sso.manage": Policy(allow=_ADMINS),
    "mail.admin": Policy(allow=_ADMINS),
    # Accounts: who must pass a second factor; who may ask for work alerts.
    "account.second_factor": Policy(allow=_MAINTAINERS),
    "mail.work_alerts": Policy(allow=_MAINTAINERS, refusal=_l("Arbejdsbeskeder er for KL's koordinatorer.")),
    # Who is mailed. A registry change under scope 'portfolio': the municipalities using the solution, its
    # vendor's and provider's users, and coordinators (whose portfolio is the registry).
    # Everyone who chose scope 'all' hears of every change. The object is a ``MailTopic``.
    "mail.solution_change": Policy(
        allow={
            COORDINATOR: ANY,
            ADMIN: ANY,
            MUNICIPALITY: either(SCOPE_ALL, USES_SOLUTION),
            VENDOR: either(SCOPE_ALL, BEHIND_SOLUTION),
        }
    ),
    # N6: a municipality's readiness reaches its own users (whatever their scope), coordinators only if they
    # chose scope 'all' (as in the event log), vendors never.
    "mail.readiness_change": Policy(allow={COORDINATOR: SCOPE_ALL, ADMIN: SCOPE_ALL, MUNICIPALITY: OWN_MUNICIPALITY}),
    # N12: the proposer hears of a decision on their proposal, unless they made it themselves.
    "mail.decision_notice": Policy(allow=dict.fromkeys(Role, OWN), state=DECIDED_BY_OTHERS),
    # Work alerts (new proposals, failing sources …) go to coordinators and admins.
    "mail.work_alert": Policy(allow=_MAINTAINERS),
}

# Roles that belong to an organisation or to a municipality (a vendor's user needs one, and so on).
ORGANISATION_ROLES = frozenset({VENDOR})
MUNICIPALITY_ROLES = frozenset({MUNICIPALITY})
