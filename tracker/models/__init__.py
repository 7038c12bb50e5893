"""The domain model; importing this package registers every table on db.metadata."""

from tracker.models.base import Liquidity, RiskLevel, RiskReason, Trend
from tracker.models.cluster import Cluster
from tracker.models.company import (
    Company,
    CompanyStatus,
    LawfulBasis,
    Market,
    Person,
    PersonErasure,
    company_clusters,
    company_facts,
    company_markets,
    company_search,
)
from tracker.models.event import Event, EventFormat, event_companies, event_people
from tracker.models.followup import FollowUp, FollowUpStatus
from tracker.models.interaction import (
    HealthCheck,
    Interaction,
    InteractionType,
    interaction_people,
)
from tracker.models.report import AuditEntry, Report, ReportEdition, ReportStatus
from tracker.models.support import (
    Instrument,
    InstrumentKind,
    Need,
    NeedCategory,
    NeedStatus,
    Solution,
    SolutionStatus,
    SolutionStatusChange,
    Urgency,
)
from tracker.models.user import (
    Role,
    User,
    user_clusters,
    workload_contacts,
    workload_followups,
    workload_owners,
)

__all__ = [
    "AuditEntry",
    "Cluster",
    "Company",
    "CompanyStatus",
    "Event",
    "EventFormat",
    "FollowUp",
    "FollowUpStatus",
    "HealthCheck",
    "Instrument",
    "InstrumentKind",
    "Interaction",
    "InteractionType",
    "LawfulBasis",
    "Liquidity",
    "Market",
    "Need",
    "NeedCategory",
    "NeedStatus",
    "Person",
    "PersonErasure",
    "Report",
    "ReportEdition",
    "ReportStatus",
    "RiskLevel",
    "RiskReason",
    "Role",
    "Solution",
    "SolutionStatus",
    "SolutionStatusChange",
    "Trend",
    "Urgency",
    "User",
    "company_clusters",
    "company_facts",
    "company_markets",
    "company_search",
    "event_companies",
    "event_people",
    "interaction_people",
    "user_clusters",
    "workload_contacts",
    "workload_followups",
    "workload_owners",
]
