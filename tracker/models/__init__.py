"""All tables, imported here so that Alembic and the app see one complete metadata."""

from tracker.models.actions import Action, ActionChange, ActionRead
from tracker.models.broadcast import Delivery, DeliveryAttempt, FeedToken, Subscription
from tracker.models.events import ChangeEvent
from tracker.models.ingest import PageSnapshot, ScrapeRun, Source
from tracker.models.inquiries import Inquiry, InquiryFollower, RiskAssessment
from tracker.models.mail import MailAttempt, MailMessage, MailPreference
from tracker.models.municipalities import Idp, IdpChange, Municipality, PortfolioEntry
from tracker.models.organisations import Organisation
from tracker.models.review import Proposal
from tracker.models.saml import SamlAssertionSeen, SamlIdp, SamlRequest
from tracker.models.scheduler import JobRun, SchedulerLease
from tracker.models.solutions import Solution
from tracker.models.transitions import Transition, TransitionLeadTime
from tracker.models.users import ApiToken, AuditEntry, LoginAttempt, User, UserSession

__all__ = [
    "Action",
    "ActionChange",
    "ActionRead",
    "ApiToken",
    "AuditEntry",
    "ChangeEvent",
    "Delivery",
    "DeliveryAttempt",
    "FeedToken",
    "Idp",
    "IdpChange",
    "Inquiry",
    "InquiryFollower",
    "JobRun",
    "LoginAttempt",
    "MailAttempt",
    "MailMessage",
    "MailPreference",
    "Municipality",
    "Organisation",
    "PageSnapshot",
    "PortfolioEntry",
    "Proposal",
    "RiskAssessment",
    "SamlAssertionSeen",
    "SamlIdp",
    "SamlRequest",
    "SchedulerLease",
    "ScrapeRun",
    "Solution",
    "Source",
    "Subscription",
    "Transition",
    "TransitionLeadTime",
    "User",
    "UserSession",
]
