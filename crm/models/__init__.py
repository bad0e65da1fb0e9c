"""The CRM's data: records, pipelines, activities and what describes them."""

from crm.models.activities import ACTIVITY_ICONS, LINK_FIELDS, Activity, ActivityKind
from crm.models.base import (
    CUSTOMISABLE_TYPES,
    MAX_RECORD_ID,
    AuditAction,
    AuditEntry,
    Colour,
    CrmSettings,
    CustomFieldDefinition,
    FieldType,
    ObjectType,
    Tag,
)
from crm.models.deals import (
    Deal,
    DealContact,
    DealContactRole,
    Pipeline,
    Stage,
    StageKind,
    StageTransition,
)
from crm.models.money import ExchangeRate
from crm.models.records import (
    Company,
    CompanySize,
    Contact,
    ContactCompany,
    ContactRole,
    Lead,
    LeadSource,
    LeadStatus,
)
from crm.models.saved_views import ListType, SavedView
from crm.models.visibility import OwnedQuerySet, sees_everything

__all__ = [
    "ACTIVITY_ICONS",
    "CUSTOMISABLE_TYPES",
    "LINK_FIELDS",
    "MAX_RECORD_ID",
    "Activity",
    "ActivityKind",
    "AuditAction",
    "AuditEntry",
    "Colour",
    "Company",
    "CompanySize",
    "Contact",
    "ContactCompany",
    "ContactRole",
    "CrmSettings",
    "CustomFieldDefinition",
    "Deal",
    "DealContact",
    "DealContactRole",
    "ExchangeRate",
    "FieldType",
    "Lead",
    "LeadSource",
    "LeadStatus",
    "ListType",
    "ObjectType",
    "OwnedQuerySet",
    "Pipeline",
    "SavedView",
    "Stage",
    "StageKind",
    "StageTransition",
    "Tag",
    "sees_everything",
]
