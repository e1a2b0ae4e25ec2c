"""The hand-written mutants ``make mutants`` runs: each one a plausible mistake that some test must notice.

A mutant names a file, an exact snippet in it (which must occur exactly once), the replacement, the tests to run
(files or node ids, relative to the worktree) and what the mistake would break. Ids: A auth, I inquiries,
M municipalities, N notify, H http_cache, T the clock, X scrapers. When a refactor moves a snippet the runner
reports the mutant as ``stale``: rewrite it against the new code rather than deleting it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Mutant:
    """One mutation: ``original`` → ``replacement`` in ``file``, to be killed by ``tests``."""

    id: str
    file: str
    original: str
    replacement: str
    tests: tuple[str, ...]
    why: str

    def __post_init__(self) -> None:
        if isinstance(self.tests, str) or not self.tests:
            raise TypeError(f"mutant {self.id}: tests must be a non-empty tuple of test paths")


F = "tests/functional/"
U = "tests/unit/"
H = "tests/functional/hardening/"
S = "tests/scrapers/"

AUTHZ_INQ = F + "test_inquiries_authz.py"
INQ_API = F + "test_inquiries_api.py"
EDIT_AUTHZ = F + "test_registry_editing_authz.py"
PRIVACY = F + "test_municipality_privacy.py"
AUTH_UNIT = U + "auth/test_auth_services.py"
SECOND = H + "test_second_factor.py"
SESSIONS = H + "test_sessions_and_accounts.py"
MAIL = F + "test_mail.py"
ALERTS = F + "test_mail_alerts.py"
NOTICES = F + "test_mail_notices.py"
INQ_MAIL = F + "test_inquiry_mail.py"
READINESS = U + "municipalities/test_readiness.py"
READINESS_EVENTS = U + "municipalities/test_readiness_events.py"
MUNI_API = F + "test_municipality_api.py"
CACHE_UNIT = U + "test_http_cache.py"
CACHE_POLICY = F + "test_cache_policy.py"
READ_CACHING = F + "test_read_caching.py"
NATIONAL = F + "test_national_cache.py"
FEEDS = F + "test_feeds.py"
DIGEST_EDGES = F + "test_digest_edges.py"
WHO_HEARS = F + "test_mail_who_hears.py"
INQ_EDGES = F + "test_inquiry_edges.py"
BINDING = F + "test_binding_day.py"

PERM = "tracker/auth/permissions.py"
POLICIES_PY = "tracker/auth/policies.py"
TOTP = "tracker/auth/totp.py"
SESS = "tracker/auth/sessions.py"
TOKENS = "tracker/auth/tokens.py"
LOGIN = "tracker/auth/login.py"
INQ = "tracker/inquiries/services.py"
INQ_Q = "tracker/inquiries/queries.py"
RECIP = "tracker/notify/recipients.py"
NOTICE = "tracker/notify/notices.py"
DIGEST = "tracker/notify/digests.py"
READY = "tracker/municipalities/readiness.py"
MSERV = "tracker/municipalities/services.py"
POLICY = "tracker/http_cache/policy.py"
STAMPS = "tracker/http_cache/stamps.py"
STORE = "tracker/http_cache/store.py"

MUTANTS: tuple[Mutant, ...] = (
    # --- auth: roles, ownership, second factor, sessions, tokens, throttling -----------------------------------
    Mutant(
        "A1",
        POLICIES_PY,
        "_MAINTAINERS = {COORDINATOR: ANY, ADMIN: ANY}",
        "_MAINTAINERS = {COORDINATOR: ANY, ADMIN: ANY, VENDOR: ANY}",
        (EDIT_AUTHZ, AUTHZ_INQ),
        "vendors count as coordinators",
    ),
    Mutant(
        "A2",
        POLICIES_PY,
        "return org is not None and org in (solution.vendor_id, solution.service_provider_id)",
        "return org is not None",
        (EDIT_AUTHZ, AUTHZ_INQ),
        "ownership dropped: any vendor owns every solution",
    ),
    Mutant(
        "A3",
        POLICIES_PY,
        "return org is not None and org in (solution.vendor_id, solution.service_provider_id)",
        "return org is not None and org in (solution.vendor_id,)",
        (EDIT_AUTHZ, AUTHZ_INQ, INQ_API),
        "the service provider is not recognised as speaking for its solution",
    ),
    Mutant(
        "A4",
        POLICIES_PY,
        "allow={COORDINATOR: ANY, ADMIN: ANY, MUNICIPALITY: ANY, VENDOR: SPEAKS_FOR}, others=_OWN_SOLUTIONS",
        "allow={COORDINATOR: ANY, ADMIN: ANY, MUNICIPALITY: ANY, VENDOR: ANY}, others=_OWN_SOLUTIONS",
        (EDIT_AUTHZ,),
        "vendors may propose changes to other organisations' solutions",
    ),
    Mutant(
        "A5",
        POLICIES_PY,
        "return own is not None and own == municipality_id_of(obj)",
        "return own is not None",
        (PRIVACY, MUNI_API),
        "a municipality's user sees every municipality's private data",
    ),
    Mutant(
        "A6",
        POLICIES_PY,
        'allow={COORDINATOR: ANY, ADMIN: ANY, MUNICIPALITY: ANY},\n        refusal=_l("Kun kommuner',
        'allow={COORDINATOR: ANY, ADMIN: ANY, MUNICIPALITY: ANY, VENDOR: ANY},\n        refusal=_l("Kun kommuner',
        (AUTHZ_INQ,),
        "vendors may ask inquiries",
    ),
    Mutant(
        "A28",
        POLICIES_PY,
        'AUTHORITY = Ownership("authority", lambda user, obj: _provides(user, obj) and not _builds(user, obj))',
        'AUTHORITY = Ownership("authority", lambda user, obj: _provides(user, obj))',
        (F + "test_authority_edges.py", EDIT_AUTHZ, F + "test_registry_editing_api.py"),
        "an organisation that builds the solution it provides decides its level as the authority",
    ),
    Mutant(
        "A7",
        PERM,
        "LOA_RANK[Loa(session_loa)] >= LOA_RANK[PRIVATE_MIN_LOA]",
        "LOA_RANK[Loa(session_loa)] > LOA_RANK[PRIVATE_MIN_LOA]",
        ("tests/saml/test_sso_authz_matrix.py", U + "test_saml_requirement.py"),
        "a single sign-on session at Betydelig (the minimum) counts as too weak",
    ),
    Mutant(
        "A8",
        PERM,
        "    if ownership is None:\n        return False, False",
        "    if ownership is None:\n        return True, True",
        (EDIT_AUTHZ, MUNI_API, F + "test_sso_admin.py"),
        "a role without a row in an action's policy is allowed it (the table's default turned to yes)",
    ),
    Mutant(
        "A9",
        TOTP,
        "for step in (current - 1, current, current + 1):",
        "for step in (current - 2, current - 1, current, current + 1, current + 2):",
        (SECOND, AUTH_UNIT),
        "a TOTP code two steps (60 s) away is accepted (issue 21 item 13)",
    ),
    Mutant(
        "A10",
        TOTP,
        "User.totp_last_step < step",
        "User.totp_last_step <= step",
        (AUTH_UNIT, SECOND, U + "auth/test_token_use_under_concurrency.py"),
        "a used TOTP code works again in the same step",
    ),
    Mutant(
        "A11",
        TOTP,
        "user.recovery_codes = [h for h in remaining if h != hashed]",
        "user.recovery_codes = remaining",
        (SECOND, AUTH_UNIT, U + "auth/test_token_use_under_concurrency.py"),
        "a recovery code is never struck out",
    ),
    Mutant(
        "A12",
        POLICIES_PY,
        '"account.second_factor": Policy(allow=_MAINTAINERS)',
        '"account.second_factor": Policy(allow={ADMIN: ANY})',
        (F + "test_auth_web.py", AUTH_UNIT, SESSIONS),
        "coordinators need no second factor",
    ),
    Mutant(
        "A13",
        SESS,
        "if row is None or row.user_id != user_id or row.ended_at is not None:",
        "if row is None or row.ended_at is not None:",
        (SECOND, SESSIONS),
        "a session presented under another user's id is accepted (issue 21 item 13)",
    ),
    Mutant(
        "A14",
        SESS,
        "if row is None or row.user_id != user_id or row.ended_at is not None:",
        "if row is None or row.user_id != user_id:",
        (SESSIONS, F + "test_auth_web.py"),
        "a logged-out session still works",
    ),
    Mutant(
        "A15",
        SESS,
        "if now - row.last_seen_at > policy.idle or now - row.created_at > policy.max_age:",
        "if now - row.created_at > policy.max_age:",
        (SESSIONS, F + "test_auth_web.py"),
        "sessions never idle out",
    ),
    Mutant(
        "A16",
        SESS,
        "if row.not_on_or_after is not None and now >= row.not_on_or_after:",
        "if row.not_on_or_after is not None and now > row.not_on_or_after:",
        (F + "test_session_edges.py", "tests/saml/test_sso_sessions.py"),
        "a single sign-on session still works at the instant its IdP said it ends",
    ),
    Mutant(
        "A17",
        TOKENS,
        "if row is None or row.revoked_at is not None or not row.user.is_active:",
        "if row is None or not row.user.is_active:",
        (AUTH_UNIT, F + "test_token_cache.py"),
        "a revoked API token still works",
    ),
    Mutant(
        "A18",
        TOKENS,
        "if row is None or row.revoked_at is not None or not row.user.is_active:",
        "if row is None or row.revoked_at is not None:",
        (AUTH_UNIT, F + "test_token_cache.py", H + "test_deactivated_owners.py"),
        "a deactivated user's API token still works",
    ),
    Mutant(
        "A19",
        TOKENS,
        "if row is None or row.user_id != user.id:",
        "if row is None:",
        (AUTH_UNIT, F + "test_auth_web.py"),
        "a user may revoke another user's token (ownership filter dropped)",
    ),
    Mutant(
        "A20",
        TOKENS,
        """        token.revoked_at = utcnow()
    token_cache.forget_all()""",
        """        token.revoked_at = utcnow()""",
        (F + "test_token_cache.py",),
        "a revoked token stays believed by this worker's cache for its window",
    ),
    Mutant(
        "A21",
        LOGIN,
        "if count >= policy.max_failures and oldest is not None:",
        "if count > policy.max_failures and oldest is not None:",
        (AUTH_UNIT, SESSIONS),
        "one failed login more than the limit before the account is throttled",
    ),
    Mutant(
        "A22",
        LOGIN,
        "ok = ok and user is not None and user.is_active",
        "ok = ok and user is not None",
        (AUTH_UNIT, F + "test_auth_web.py"),
        "a deactivated user logs in with a password",
    ),
    Mutant(
        "A23",
        LOGIN,
        "account_since = max(since, last_success) if last_success is not None else since",
        "account_since = since",
        (AUTH_UNIT, SESSIONS),
        "old typos before a successful login still count toward the throttle",
    ),
    Mutant(
        "A24",
        LOGIN,
        "if count >= policy.max_failures * ADDRESS_FACTOR and oldest is not None:",
        "if count >= policy.max_failures and oldest is not None:",
        (F + "test_login_throttle_edges.py", AUTH_UNIT, SESSIONS),
        "the address-wide limit is as low as the per-account one (an office NAT locks out)",
    ),
    Mutant(
        "A25",
        "tracker/auth/passwords.py",
        "if len(password) < MIN_LENGTH:",
        "if len(password) < MIN_LENGTH - 1:",
        (F + "test_password_edges.py", AUTH_UNIT),
        "an 11-character password is accepted",
    ),
    Mutant(
        "A26",
        "tracker/auth/guard.py",
        "if totp.required_for(user) and (row is None or not row.second_factor):",
        "if totp.required_for(user) and row is None:",
        (F + "test_auth_web.py", SESSIONS),
        "a coordinator's session that skipped the second factor goes anywhere",
    ),
    Mutant(
        "A27",
        "tracker/auth/token_cache.py",
        "if self.clock() >= entry[0]:",
        "if self.clock() > entry[0]:",
        (F + "test_token_cache.py",),
        "a remembered token is believed at the instant its window ends",
    ),
    # --- inquiries ------------------------------------------------------------------------------------------
    Mutant(
        "I1",
        POLICIES_PY,
        '"inquiry.ask": Policy(\n        allow=',
        '"inquiry.ask": Policy(\n        any_user=True,\n        allow=',
        (AUTHZ_INQ,),
        "anyone logged in may ask",
    ),
    Mutant(
        "I2",
        INQ,
        "if (asked_today or 0) >= daily_limit:",
        "if (asked_today or 0) > daily_limit:",
        (INQ_API, AUTHZ_INQ),
        "one question more than the daily limit",
    ),
    Mutant(
        "I3",
        INQ,
        '    require_state("inquiry.answer", inquiry)  # I3: an answered inquiry is not answered again\n',
        "",
        (INQ_API, AUTHZ_INQ),
        "an answered inquiry is answered again, the second answer overwriting the first (issue 28 I3, 21 item 4)",
    ),
    Mutant(
        "I4",
        POLICIES_PY,
        'lambda i: i.state in ("open", "asked")',
        'lambda i: i.state in ("open", "answered")',
        (INQ_API, AUTHZ_INQ),
        "swapped status: an asked inquiry counts as answered, an answered one as open",
    ),
    Mutant(
        "I5",
        POLICIES_PY,
        "allow={COORDINATOR: ANY, ADMIN: ANY, VENDOR: SPEAKS_FOR}, state=INQUIRY_UNANSWERED, refusal=_ANSWERERS",
        "allow={COORDINATOR: ANY, ADMIN: ANY, VENDOR: SPEAKS_FOR, MUNICIPALITY: ANY}, "
        "state=INQUIRY_UNANSWERED, refusal=_ANSWERERS",
        (AUTHZ_INQ,),
        "municipalities may answer their own questions",
    ),
    Mutant(
        "I6",
        POLICIES_PY,
        'State("inquiry_not_closed", lambda i: i.state != "closed"',
        'State("inquiry_not_closed", lambda i: True',
        (INQ_EDGES, INQ_API, AUTHZ_INQ),
        "a closed inquiry is closed again",
    ),
    Mutant(
        "I7",
        POLICIES_PY,
        "allow={MUNICIPALITY: ANY}, state=INQUIRY_UNANSWERED",
        "allow={MUNICIPALITY: ANY, VENDOR: ANY, COORDINATOR: ANY}, state=INQUIRY_UNANSWERED",
        (AUTHZ_INQ, INQ_API),
        "vendors and coordinators may join the wait",
    ),
    Mutant(
        "I8",
        INQ,
        "InquiryFollower.inquiry_id == inquiry.id, InquiryFollower.user_id == user.id)",
        "InquiryFollower.inquiry_id == inquiry.id)",
        (INQ_API, AUTHZ_INQ),
        "once anyone follows, nobody else can join",
    ),
    Mutant(
        "I9",
        INQ,
        """        select(func.count(func.distinct(InquiryFollower.municipality_id))).where(
            InquiryFollower.inquiry_id == inquiry.id
        )""",
        """        select(func.count(InquiryFollower.municipality_id)).where(
            InquiryFollower.inquiry_id == inquiry.id
        )""",
        (INQ_API, F + "test_inquiries_pages.py"),
        "two users of one municipality count as two municipalities waiting",
    ),
    Mutant(
        "I10",
        INQ,
        "select(Inquiry).where(Inquiry.solution_id == solution.id, Inquiry.state.in_(UNANSWERED)).limit(500)",
        "select(Inquiry).where(Inquiry.solution_id == solution.id).limit(500)",
        (INQ_EDGES, INQ_API, U + "inquiries/test_similarity.py"),
        "an answered or closed question is offered to join",
    ),
    Mutant(
        "I11",
        INQ,
        "select(Inquiry).where(Inquiry.solution_id == solution.id, Inquiry.state.in_(UNANSWERED)).limit(500)",
        "select(Inquiry).where(Inquiry.state.in_(UNANSWERED)).limit(500)",
        (INQ_EDGES, INQ_API, U + "inquiries/test_similarity.py"),
        "a similar question about another solution blocks a new one",
    ),
    Mutant(
        "I12",
        POLICIES_PY,
        '"inquiry.mark_asked": Policy(allow=_MAINTAINERS,',
        '"inquiry.mark_asked": Policy(allow={**_MAINTAINERS, MUNICIPALITY: ANY},',
        (AUTHZ_INQ,),
        "municipality users may mark as asked and close",
    ),
    Mutant(
        "I13",
        INQ,
        "if len(text) > maximum:",
        "if len(text) >= maximum:",
        (
            INQ_EDGES,
            INQ_API,
        ),
        "a question of exactly the maximum length is refused",
    ),
    Mutant(
        "I14",
        INQ_Q,
        "stmt = select(User).where(or_(User.id.in_(followers), User.id == inquiry.asker_id), User.is_active.is_(True))",
        "stmt = select(User).where(User.id.in_(followers), User.is_active.is_(True))",
        (
            INQ_EDGES,
            INQ_MAIL,
        ),
        "a coordinator who asked (and follows nothing) never hears the answer",
    ),
    Mutant(
        "I15",
        INQ_Q,
        """        .where(Inquiry.solution_id == solution.id, Inquiry.state.in_(UNANSWERED))
    )
    return Summary""",
        """        .where(Inquiry.solution_id == solution.id)
    )
    return Summary""",
        (INQ_EDGES, INQ_API, F + "test_inquiries_pages.py"),
        "municipalities waiting on answered questions still count as waiting",
    ),
    Mutant(
        "I16",
        "tracker/inquiries/public.py",
        "if organisation_id == solution.service_provider_id:",
        "if organisation_id == solution.vendor_id:",
        (INQ_API, H + "test_provenance.py"),
        "a vendor's answer is labelled the authority's (and the provider's a vendor's)",
    ),
    Mutant(
        "I17",
        "tracker/inquiries/public.py",
        """        if municipality is not None:
            return municipality_label(municipality)""",
        """        if municipality is not None:
            return user.email""",
        (INQ_API, F + "test_inquiries_pages.py", H + "test_privacy_labels.py"),
        "an asker is shown by e-mail address, not as the municipality",
    ),
    Mutant(
        "I18",
        POLICIES_PY,
        '"risk_assessment.record": Policy(\n        allow=_MAINTAINERS,',
        '"risk_assessment.record": Policy(\n        allow={**_MAINTAINERS, MUNICIPALITY: ANY},',
        (AUTHZ_INQ, INQ_API),
        "municipality users may record risk assessments",
    ),
    Mutant(
        "I19",
        "tracker/inquiries/assessments.py",
        "if assessed_on > today_in_denmark():",
        "if assessed_on >= today_in_denmark():",
        (INQ_API,),
        "an assessment made today is refused as made in the future",
    ),
    # --- municipalities: readiness, access, IdPs ------------------------------------------------------------
    Mutant(
        "M1",
        READY,
        "    return step.rank is not None and step.rank > have\n",
        "    return step.rank is not None and step.rank >= have\n",
        (READINESS, MUNI_API),
        "an IdP exactly at the required level is not ready",
    ),
    Mutant(
        "M2",
        READY,
        "    past = [step for on, step in in_force.items() if on <= today]",
        "    past = [step for on, step in in_force.items() if on < today]",
        (READINESS, MUNI_API),
        "on the switch day itself staff count as at risk (0 days left), not locked out",
    ),
    Mutant(
        "M3",
        READY,
        "days_left=(on - today).days, from_day=on",
        "days_left=(on - today).days + 1, from_day=on",
        (READINESS, MUNI_API),
        "days left off by one",
    ),
    Mutant(
        "M4",
        READY,
        "by=verdict.from_day - timedelta(days=1)",
        "by=verdict.from_day",
        (BINDING, READINESS, MUNI_API, F + "test_municipality_exports.py"),
        "'notify the IdP by' names the lock-out day itself, not the day before",
    ),
    Mutant(
        "M5",
        READY,
        "    if rank is None or state == SwitchState.CANCELLED:\n        return None",
        "    if rank is None:\n        return None",
        (READINESS, MUNI_API),
        "a cancelled switch with a date still puts staff at risk",
    ),
    Mutant(
        "M6",
        READY,
        "if key < best_key or (key == best_key",
        "if key > best_key or (key == best_key",
        (READINESS, MUNI_API, F + "test_staff_groups_api.py"),
        "the least urgent requirement of a broker chain drives the row",
    ),
    Mutant(
        "M7",
        READY,
        "primary = next((i for i in idps if i.is_primary), None)",
        "primary = next((i for i in idps), None)",
        (READINESS, MUNI_API),
        "the first IdP, not the primary one, stands for entries that name none",
    ),
    Mutant(
        "M8",
        READY,
        "    if len(idps) == 1:\n",
        "    if len(idps) >= 1:\n",
        (READINESS, MUNI_API),
        "with several IdPs and no primary one, the first is guessed instead of asking",
    ),
    Mutant(
        "M9",
        READY,
        "return min(dated, key=lambda row: (row.binding_on, row.sort_key)) if dated else None",
        "return max(dated, key=lambda row: (row.binding_on, row.sort_key)) if dated else None",
        (BINDING, F + "test_calendar.py", FEEDS, F + "test_municipality_exports.py"),
        "the latest, not the first, binding date of a solution's rows is shown (issue 21 item 2)",
    ),
    Mutant(
        "M10",
        POLICIES_PY,
        "allow={COORDINATOR: ANY, ADMIN: ANY, MUNICIPALITY: OWN_MUNICIPALITY}, others=_municipality_refusal",
        "allow={COORDINATOR: ANY, ADMIN: ANY, MUNICIPALITY: ANY}, others=_municipality_refusal",
        (PRIVACY, MUNI_API),
        "any logged-in user sees any municipality's IdPs, portfolio and readiness",
    ),
    Mutant(
        "M11",
        POLICIES_PY,
        '"solution.see_users": Policy(allow=_MAINTAINERS)',
        '"solution.see_users": Policy(any_user=True)',
        (PRIVACY, F + "test_ui_pages.py"),
        "every logged-in user sees which municipalities use a solution",
    ),
    Mutant(
        "M12",
        MSERV,
        "select(Idp).where(Idp.id.in_(wanted), Idp.municipality_id == municipality.id)",
        "select(Idp).where(Idp.id.in_(wanted))",
        (MUNI_API, PRIVACY, F + "test_staff_groups_api.py"),
        "a portfolio entry may name another municipality's IdP (ownership filter dropped)",
    ),
    Mutant(
        "M13",
        MSERV,
        "        other.is_primary = False\n",
        "        pass\n",
        (MUNI_API, F + "test_staff_groups_api.py"),
        "two primary IdPs in one municipality",
    ),
    Mutant(
        "M14",
        MSERV,
        "func.lower(Idp.name) == name.lower()",
        "Idp.name == name",
        (MUNI_API,),
        "'KMD IdP' and 'kmd idp' both accepted in one municipality",
    ),
    Mutant(
        "M15",
        "tracker/municipalities/exports.py",
        '_FORMULA_STARTS = ("=", "+", "-", "@", "\\t", "\\r")',
        '_FORMULA_STARTS = ("+", "-", "@", "\\t", "\\r")',
        (F + "test_municipality_exports.py",),
        "a vendor's name starting with '=' runs as a formula in the spreadsheet (dropped escaping)",
    ),
    # --- notify: who is mailed, when, about what ------------------------------------------------------------
    Mutant(
        "N1",
        RECIP,
        "if rule is None or not user.is_active or event.actor_id == user.id:",
        "if rule is None or not user.is_active:",
        (MAIL,),
        "people are mailed about their own change",
    ),
    Mutant(
        "N2",
        POLICIES_PY,
        "COORDINATOR: ANY,\n            ADMIN: ANY,\n            MUNICIPALITY: either(SCOPE_ALL, USES",
        "COORDINATOR: SCOPE_ALL,\n            ADMIN: SCOPE_ALL,\n            MUNICIPALITY: either(SCOPE_ALL, USES",
        (WHO_HEARS, MAIL),
        "coordinators with the 'portfolio' scope hear of no registry change",
    ),
    Mutant(
        "N3",
        POLICIES_PY,
        "MUNICIPALITY: either(SCOPE_ALL, USES_SOLUTION)",
        "MUNICIPALITY: ANY",
        (WHO_HEARS, MAIL),
        "municipalities hear of solutions outside their portfolio",
    ),
    Mutant(
        "N4",
        POLICIES_PY,
        "VENDOR: either(SCOPE_ALL, BEHIND_SOLUTION)",
        "VENDOR: ANY",
        (WHO_HEARS, MAIL),
        "vendors hear of other organisations' solutions",
    ),
    Mutant(
        "N5",
        POLICIES_PY,
        "allow={COORDINATOR: SCOPE_ALL, ADMIN: SCOPE_ALL, MUNICIPALITY: OWN_MUNICIPALITY}",
        "allow={COORDINATOR: SCOPE_ALL, ADMIN: SCOPE_ALL, MUNICIPALITY: ANY}",
        (WHO_HEARS, MAIL, READINESS_EVENTS),
        "a municipality is mailed another municipality's private readiness",
    ),
    Mutant(
        "N6",
        POLICIES_PY,
        "allow={COORDINATOR: SCOPE_ALL, ADMIN: SCOPE_ALL, MUNICIPALITY: OWN_MUNICIPALITY}",
        "allow={COORDINATOR: ANY, ADMIN: ANY, MUNICIPALITY: OWN_MUNICIPALITY}",
        (WHO_HEARS, MAIL),
        "coordinators with the 'portfolio' scope get every municipality's readiness mail (issue 28 N6)",
    ),
    Mutant(
        "N7",
        DIGEST,
        "if local.time() < time(hour):",
        "if local.time() <= time(hour):",
        (
            DIGEST_EDGES,
            MAIL,
        ),
        "at exactly 07:00 the period just ended is not yet due",
    ),
    Mutant(
        "N8",
        DIGEST,
        "end_day -= timedelta(days=end_day.weekday())  # back to Monday",
        "end_day -= timedelta(days=end_day.weekday() + 1)  # back to Monday",
        (MAIL,),
        "weekly digests end on Sunday, not Monday",
    ),
    Mutant(
        "N9",
        DIGEST,
        "ChangeEvent.occurred_at < end,",
        "ChangeEvent.occurred_at <= end,",
        (
            DIGEST_EDGES,
            MAIL,
        ),
        "a change at the period's end instant lands in two digests",
    ),
    Mutant(
        "N10",
        DIGEST,
        "if (e.id > cursor if cursor is not None",
        "if (e.id >= cursor if cursor is not None",
        (MAIL,),
        "the last change of one digest is repeated in the next",
    ),
    Mutant(
        "N11",
        POLICIES_PY,
        '"mail.decision_notice": Policy(allow=dict.fromkeys(Role, OWN), state=DECIDED_BY_OTHERS)',
        '"mail.decision_notice": Policy(allow=dict.fromkeys(Role, OWN))',
        (WHO_HEARS, NOTICES),
        "a coordinator is told of their own decision on their own proposal (issue 28 N12)",
    ),
    Mutant(
        "N12",
        NOTICE,
        """    if preference_of(session, proposer)["mode"] == "off":
        return
""",
        "",
        (WHO_HEARS, NOTICES),
        "a proposer who turned mail off is still mailed the outcome",
    ),
    Mutant(
        "N13",
        NOTICE,
        "return [u for u, p in rows if u.id != exclude_id and wanted & set(p.alerts or [])]",
        "return [u for u, p in rows if wanted & set(p.alerts or [])]",
        (WHO_HEARS, ALERTS),
        "a coordinator is alerted of their own new proposal",
    ),
    Mutant(
        "N14",
        NOTICE,
        ', MailPreference.mode != "off")',
        ")",
        (WHO_HEARS, ALERTS),
        "a coordinator who turned mail off still gets work alerts",
    ),
    Mutant(
        "N15",
        NOTICE,
        '{"sources"} if news.changed_pages or news.became_unhealthy else set()',
        '{"sources"} if news.became_unhealthy else set()',
        (ALERTS,),
        "changed source pages alert nobody",
    ),
    Mutant(
        "N16",
        "tracker/notify/preferences.py",
        'elif alerts and user is not None and not may(user, "mail.work_alerts"):',
        "elif alerts and user is None:",
        (ALERTS,),
        "municipality users may ask for coordinators' work alerts",
    ),
    Mutant(
        "N17",
        "tracker/notify/preferences.py",
        "data = _serializer().loads(token, max_age=max_age)",
        "data = _serializer().loads(token)",
        (MAIL,),
        "an expired unsubscribe link still works",
    ),
    Mutant(
        "N18",
        "tracker/notify/compose.py",
        'key = (\n        "changes",\n        language,\n',
        'key = (\n        "changes",\n',
        (WHO_HEARS, MAIL, F + "test_mail_layout.py", F + "test_mail_worker.py"),
        "the rendered-mail cache drops the language: a Danish reader gets the English body (cache-key part)",
    ),
    # --- http_cache ---------------------------------------------------------------------------------------
    Mutant(
        "H1",
        POLICY,
        'if request.method not in ("GET", "HEAD") or endpoint in LIVE_ENDPOINTS:',
        "if endpoint in LIVE_ENDPOINTS:",
        (CACHE_POLICY,),
        "answers to writes may be stored",
    ),
    Mutant(
        "H2",
        POLICY,
        "if response.status_code in PUBLIC_STATUSES and _anonymous(app, response):",
        "if _anonymous(app, response):",
        (
            F + "test_cache_policy_edges.py",
            CACHE_POLICY,
        ),
        "an error answer of a public endpoint is cached publicly",
    ),
    Mutant(
        "H3",
        POLICY,
        'if "Authorization" in request.headers or "Set-Cookie" in response.headers:',
        'if "Set-Cookie" in response.headers:',
        (CACHE_POLICY, READ_CACHING),
        "a token holder's answer is marked public for shared caches",
    ),
    Mutant(
        "H4",
        POLICY,
        "return not any(name in request.cookies for name in names) and not session.modified",
        "return not any(name in request.cookies for name in names)",
        (CACHE_POLICY,),
        "an answer that is about to set a session cookie is marked public",
    ),
    Mutant(
        "H5",
        POLICY,
        """        vary.add("Authorization")
        vary.add("Cookie")""",
        """        vary.add("Authorization")""",
        (CACHE_POLICY, READ_CACHING),
        "public answers do not vary on Cookie (equivalent while _anonymous reads the session: Flask adds it)",
    ),
    Mutant(
        "H6",
        POLICY,
        "if NO_STORE in current or IMMUTABLE in current:",
        "if IMMUTABLE in current:",
        (F + "test_cache_policy_edges.py", CACHE_POLICY, F + "test_auth_web.py"),
        "a view's no-store (secrets) is weakened to private, no-cache",
    ),
    Mutant(
        "H7",
        STAMPS,
        'f"{scope}|{latest_id}|{extra}"',
        'f"{scope}|{latest_id}"',
        (FEEDS, F + "test_calendar.py", H + "test_private_feeds.py"),
        "a document's ETag ignores its extra key part (a municipality's portfolio)",
    ),
    Mutant(
        "H8",
        STAMPS,
        'f"{scope}|{latest_id}|{extra}"',
        'f"{latest_id}|{extra}"',
        (FEEDS, F + "test_calendar.py"),
        "two documents with the same newest event share an ETag (scope dropped)",
    ),
    Mutant(
        "H9",
        STAMPS,
        'return MunicipalityState(int(mid), str(mcode), str(name), _stamp(event_id, event_at), f"v{version or 0}")',
        'return MunicipalityState(int(mid), str(mcode), str(name), _stamp(event_id, event_at), "v0")',
        (READ_CACHING, MUNI_API),
        "a cached readiness answer survives an IdP edit (data_version dropped from the key)",
    ),
    Mutant(
        "H10",
        STAMPS,
        'return f"n{int(total)}:{int(count)}"',
        'return f"n{int(count)}"',
        (NATIONAL,),
        "the national picture's cache ignores IdP and portfolio edits (survives: every edit that moves a count "
        "also appends a readiness event, which moves the stamp the cache keys on too)",
    ),
    Mutant(
        "H11",
        STORE,
        "            if entry[0] != stamp:\n",
        "            if False:\n",
        (CACHE_UNIT, READ_CACHING),
        "a cached body outlives the registry state it was rendered at",
    ),
    Mutant(
        "H12",
        STAMPS,
        "return (int(event_id), instant)",
        'return (int(event_id), "")',
        (F + "test_cache_stamp.py", CACHE_UNIT, READ_CACHING),
        "the stamp forgets the instant: SQLite's reused id of a rolled-back event names two states",
    ),
    Mutant(
        "H13",
        STORE,
        "fresh = last_modified is not None and since is not None and last_modified <= since",
        "fresh = last_modified is not None and since is not None and last_modified < since",
        (FEEDS, F + "test_calendar.py"),
        "If-Modified-Since equal to Last-Modified renders the document again instead of 304",
    ),
    Mutant(
        "H14",
        STORE,
        "while self._bytes > self.max_bytes or len(self._entries) > self.max_entries:",
        "while self._bytes > self.max_bytes:",
        (CACHE_UNIT,),
        "the response cache grows past its entry bound",
    ),
    Mutant(
        "H15",
        STORE,
        "if response.status_code != 200 or not _accepts_gzip():",
        "if not _accepts_gzip():",
        (F + "test_compressed_clients.py", READ_CACHING),
        "a bodiless 304 gets a gzip body (survives: werkzeug never sends a 304's body; only the header differs)",
    ),
    # --- broadcast: what leaves the house in feeds and calendars (outside the six packages, named in issue 21) --
    Mutant(
        "B1",
        "tracker/broadcast/feeds.py",
        "return escape(text, quote=False)",
        "return text",
        (FEEDS,),
        "RSS descriptions carry user text as HTML: a question's <img src=…> renders (dropped escaping, 21 item 9)",
    ),
    Mutant(
        "B2",
        "tracker/broadcast/calendars.py",
        "REMINDER_DAYS = (30, 7)",
        "REMINDER_DAYS = (29, 7)",
        (F + "test_calendar.py",),
        "the 30-day reminder fires a day late",
    ),
    # --- the clock: what day it is for the users ----------------------------------------------------------------
    Mutant(
        "T1",
        "tracker/clock.py",
        "return utcnow().astimezone(DANISH_TIME).date()",
        "return utcnow().date()",
        (U + "test_clock.py", INQ_API + "::test_an_assessment_may_be_made_today_in_denmark_but_not_tomorrow"),
        "'today' is UTC's date: for an hour or two after Danish midnight the service lives in yesterday",
    ),
    Mutant(
        "T2",
        "tracker/clock.py",
        "return clock() if clock is not None else datetime.now(UTC)",
        "return datetime.now(UTC)",
        (INQ_API + "::test_an_assessment_may_be_made_today_in_denmark_but_not_tomorrow",),
        "a clock set for a test or a replay is ignored: the wall clock decides",
    ),
    # --- scrapers: dates, cues, levels ------------------------------------------------------------------------
    Mutant(
        "X1",
        "scrapers/dates.py",
        "day = spans[0][0] + timedelta(days=1)",
        "day = spans[0][0]",
        (S + "test_dates.py", S + "test_facts.py"),
        "'Efter den 30. juni' reads as 30 June, not 1 July",
    ),
    Mutant(
        "X2",
        "scrapers/dates.py",
        "precision = max(ap, bp, key=_ORDER.__getitem__)",
        "precision = min(ap, bp, key=_ORDER.__getitem__)",
        (S + "test_dates.py",),
        "a span 'fra oktober 2022 frem mod juni 2023' claims the finer precision of its ends",
    ),
    Mutant(
        "X3",
        "scrapers/cues.py",
        "return bool(acts) and not SWITCH_CUE.search(sentence, acts[-1].end(), start)",
        "return bool(acts)",
        (S + "test_cue_vetoes.py", S + "test_facts.py", S + "test_real_pages.py"),
        "'udsendt en opgave med deadline i maj 2024': the deadline is vetoed by the sending",
    ),
    Mutant(
        "X4",
        "scrapers/cues.py",
        "    if any(distance(a, b) < near for a, b in masked):\n        return None",
        "    if False:\n        return None",
        (S + "test_cue_vetoes.py", S + "test_facts.py", S + "test_real_pages.py"),
        "a rollout word nearer the date than the cue no longer vetoes it",
    ),
    Mutant(
        "X5",
        "scrapers/levels.py",
        '_NUMBER_LEVEL = {"2": "lav", "3": "betydelig", "4": "hoej"}',
        '_NUMBER_LEVEL = {"2": "lav", "3": "hoej", "4": "hoej"}',
        (S + "test_levels.py",),
        "'sikringsniveau 3' reads as Høj",
    ),
    Mutant(
        "X6",
        "scrapers/levels.py",
        "    if len(levels) != 1:\n        return None",
        "    if not levels:\n        return None",
        (S + "test_levels.py",),
        "a cell naming two levels is read as one of them",
    ),
    Mutant(
        "X7",
        "scrapers/_vocab.py",
        "end = last_day(year, month) if part == ULTIMO else date(year, month, start + 9)",
        "end = last_day(year, month) if part == ULTIMO else date(year, month, start + 10)",
        (S + "test_dates.py",),
        "primo/medio run eleven days, overlapping the next part",
    ),
    Mutant(
        "X8",
        "scrapers/_vocab.py",
        "first, count = ((1, 3), (5, 4), (10, 3))[part]",
        "first, count = ((1, 3), (4, 4), (10, 3))[part]",
        (S + "test_dates.py",),
        "'medio 2024' starts in April instead of May",
    ),
    Mutant(
        "X9",
        "scrapers/_vocab.py",
        'return monday, monday + timedelta(days=6), "week"',
        'return monday, monday + timedelta(days=7), "week"',
        (S + "test_dates.py",),
        "an ISO week runs eight days",
    ),
)
