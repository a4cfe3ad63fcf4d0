"""Roles people hold in a school (or a trust) and the capabilities each grants.

This is the one table that maps roles to capabilities: views ask for a capability,
never for a role name."""

from django.db import models


class Role(models.TextChoices):
    HEADTEACHER = "headteacher", "Headteacher"
    DEPUTY = "deputy", "Deputy headteacher"
    DSL = "dsl", "Designated safeguarding lead"
    DEPUTY_DSL = "deputy_dsl", "Deputy designated safeguarding lead"
    ESAFETY_LEAD = "esafety_lead", "E-safety lead"
    ICT_MANAGER = "ict_manager", "ICT manager"
    BUSINESS_MANAGER = "business_manager", "School business manager"
    OFFICE = "office", "Office staff"
    TEACHER = "teacher", "Teacher"
    SUPPORT_STAFF = "support_staff", "Support staff"
    GOVERNOR = "governor", "Governor"
    CHAIR_OF_GOVERNORS = "chair_of_governors", "Chair of governors"
    VOLUNTEER = "volunteer", "Volunteer"
    CONTRACTOR = "contractor", "Contractor"
    VISITOR = "visitor", "Visitor"
    PARENT = "parent", "Parent or carer"
    # Held at trust level: applies to every school of the trust.
    TRUST_OFFICER = "trust_officer", "Trust officer"


class Cap:
    """Capability names. Each is a plain string so templates can test them."""

    VIEW_SCHOOL = "view_school"  # the school's own home page
    VIEW_STAFF = "view_staff"
    MANAGE_PEOPLE = "manage_people"  # add and invite people, mark leavers
    MANAGE_ROLES = "manage_roles"  # grant roles that reach sensitive data
    # Pupils: a teacher sees the pupils of the classes they teach (VIEW_PUPILS); the
    # whole school's pupils and their UPNs are for those whose job needs them: the
    # office, the business manager, leaders, the DSL and the e-safety lead
    # (VIEW_ALL_PUPILS). schools.selectors.pupils_visible_to applies it.
    VIEW_PUPILS = "view_pupils"
    VIEW_ALL_PUPILS = "view_all_pupils"
    MANAGE_PUPILS = "manage_pupils"
    VIEW_PARENTS = "view_parents"
    VIEW_AUDIT_LOG = "view_audit_log"
    VIEW_SAFEGUARDING = "view_safeguarding"
    VIEW_INCIDENT_LOG = "view_incident_log"
    VIEW_ALL_PERSONAL_DATA = "view_all_personal_data"
    MANAGE_SCHOOL_SETTINGS = "manage_school_settings"
    IMPORT_ROSTER = "import_roster"  # bring pupils, contacts and staff in from the MIS
    MANAGE_POLICIES = "manage_policies"  # write, approve and publish policy versions
    VIEW_COMPLIANCE = "view_compliance"  # who has signed what, and who has not
    # E-safety incidents (incidents/): anyone on the staff reports; the log is kept by
    # the e-safety lead; the DSL and the head triage; the head reviews and closes.
    REPORT_INCIDENT = "report_incident"
    VIEW_SAFEGUARDING_INCIDENTS = "view_safeguarding_incidents"  # incidents flagged safeguarding
    TRIAGE_INCIDENTS = "triage_incidents"  # severity, safeguarding flag, investigator, ICO decision
    INVESTIGATE_INCIDENTS = "investigate_incidents"  # add to the chronology, change the status
    REVIEW_INCIDENTS = "review_incidents"  # the review queue; close with the head's sign-off
    VIEW_INCIDENT_SUMMARY = "view_incident_summary"  # the termly counts, with no names (governors)
    # The equipment register (devices/): leaders, the business manager, the office and the
    # ICT manager keep it; everyone else sees only what they hold ("My equipment").
    VIEW_DEVICES = "view_devices"
    MANAGE_DEVICES = "manage_devices"  # add devices, lend, receive returns, dispose
    # Photo and media consent (consent/): everyone who takes photos checks who may
    # appear; the office sees each carer's signed answers; the head sets the form.
    VIEW_CONSENT = "view_consent"
    VIEW_CONSENT_RECORDS = "view_consent_records"  # each carer's signed answers and PDFs
    MANAGE_CONSENT = "manage_consent"  # the consent form: purposes, intro, new versions
    PLAN_POSTS = "plan_posts"  # plan a post with pupils in it; the log of posts; take-down lists
    APPROVE_POSTS = "approve_posts"  # the head approves or refuses each planned post
    # Mobile phones (seed 004 §32.1): parents ask, the head decides, the office keeps the list.
    VIEW_PHONES = "view_phones"
    DECIDE_PHONES = "decide_phones"
    # Retention (retention/): the head and the trust's officers read the schedule and
    # place or lift legal holds on the school's records; the trust's data protection
    # officer (a trust officer) changes the trust's rules and approves what the nightly
    # sweep found (MANAGE_RETENTION, at trust level).
    VIEW_RETENTION = "view_retention"
    MANAGE_LEGAL_HOLDS = "manage_legal_holds"
    MANAGE_RETENTION = "manage_retention"
    # The governing body's approval of a policy version, signed in the portal by the
    # chair of governors and then countersigned by the headteacher (seed 001).
    SIGN_APPROVAL_AS_CHAIR = "sign_approval_as_chair"
    SIGN_APPROVAL_AS_HEAD = "sign_approval_as_head"
    # Data protection (privacy/): a person's rights under UK GDPR. The head (and the
    # trust's officers, where the trust's DPO sits) record requests and produce subject
    # access exports, which hold everything the school keeps about one person.
    HANDLE_SUBJECT_ACCESS = "handle_subject_access"


_LEADERSHIP = {
    Cap.VIEW_SCHOOL,
    Cap.VIEW_STAFF,
    Cap.MANAGE_PEOPLE,
    Cap.MANAGE_ROLES,
    Cap.VIEW_PUPILS,
    Cap.VIEW_ALL_PUPILS,
    Cap.MANAGE_PUPILS,
    Cap.VIEW_PARENTS,
    Cap.VIEW_AUDIT_LOG,
    Cap.VIEW_SAFEGUARDING,
    Cap.VIEW_INCIDENT_LOG,
    Cap.VIEW_ALL_PERSONAL_DATA,
    Cap.MANAGE_SCHOOL_SETTINGS,
    Cap.IMPORT_ROSTER,
    Cap.MANAGE_POLICIES,
    Cap.VIEW_COMPLIANCE,
    Cap.REPORT_INCIDENT,
    Cap.TRIAGE_INCIDENTS,
    Cap.INVESTIGATE_INCIDENTS,
    Cap.REVIEW_INCIDENTS,
    Cap.VIEW_INCIDENT_SUMMARY,
    Cap.VIEW_DEVICES,
    Cap.MANAGE_DEVICES,
    Cap.VIEW_CONSENT,
    Cap.VIEW_CONSENT_RECORDS,
    Cap.MANAGE_CONSENT,
    Cap.PLAN_POSTS,
    Cap.VIEW_PHONES,
}

ROLE_CAPABILITIES: dict[str, frozenset[str]] = {
    # Safeguarding-flagged incidents: the head, the DSL and the deputy DSL only (not the
    # deputy head unless they are also a DSL).
    # Posts with pupils in them, and phone permission slips, are the head's decision.
    Role.HEADTEACHER: frozenset(
        _LEADERSHIP
        | {
            Cap.VIEW_SAFEGUARDING_INCIDENTS,
            Cap.APPROVE_POSTS,
            Cap.DECIDE_PHONES,
            Cap.VIEW_RETENTION,
            Cap.MANAGE_LEGAL_HOLDS,
            Cap.SIGN_APPROVAL_AS_HEAD,
            Cap.HANDLE_SUBJECT_ACCESS,
        }
    ),
    Role.DEPUTY: frozenset(_LEADERSHIP),
    Role.DSL: frozenset(
        {
            Cap.VIEW_SCHOOL,
            Cap.VIEW_STAFF,
            Cap.VIEW_PUPILS,
            Cap.VIEW_ALL_PUPILS,
            Cap.VIEW_PARENTS,
            Cap.VIEW_SAFEGUARDING,
            Cap.VIEW_INCIDENT_LOG,
            Cap.VIEW_ALL_PERSONAL_DATA,
            Cap.REPORT_INCIDENT,
            Cap.VIEW_SAFEGUARDING_INCIDENTS,
            Cap.TRIAGE_INCIDENTS,
            Cap.INVESTIGATE_INCIDENTS,
            Cap.VIEW_INCIDENT_SUMMARY,
        }
    ),
    Role.ESAFETY_LEAD: frozenset(
        {
            Cap.VIEW_SCHOOL,
            Cap.VIEW_STAFF,
            Cap.VIEW_PUPILS,
            Cap.VIEW_ALL_PUPILS,
            Cap.VIEW_INCIDENT_LOG,
            Cap.REPORT_INCIDENT,
            Cap.INVESTIGATE_INCIDENTS,
            Cap.VIEW_INCIDENT_SUMMARY,
        }
    ),
    Role.ICT_MANAGER: frozenset(
        {Cap.VIEW_SCHOOL, Cap.VIEW_STAFF, Cap.REPORT_INCIDENT, Cap.VIEW_DEVICES, Cap.MANAGE_DEVICES}
    ),
    Role.BUSINESS_MANAGER: frozenset(
        {
            Cap.VIEW_DEVICES,
            Cap.MANAGE_DEVICES,
            Cap.IMPORT_ROSTER,
            Cap.VIEW_COMPLIANCE,
            Cap.VIEW_SCHOOL,
            Cap.VIEW_STAFF,
            Cap.MANAGE_PEOPLE,
            Cap.VIEW_PUPILS,
            Cap.VIEW_ALL_PUPILS,
            Cap.MANAGE_PUPILS,
            Cap.VIEW_PARENTS,
            Cap.VIEW_ALL_PERSONAL_DATA,
            Cap.REPORT_INCIDENT,
            Cap.VIEW_CONSENT,
            Cap.VIEW_CONSENT_RECORDS,
            Cap.PLAN_POSTS,
            Cap.VIEW_PHONES,
        }
    ),
    Role.OFFICE: frozenset(
        {
            Cap.VIEW_DEVICES,
            Cap.MANAGE_DEVICES,
            Cap.IMPORT_ROSTER,
            Cap.VIEW_SCHOOL,
            Cap.VIEW_STAFF,
            Cap.MANAGE_PEOPLE,
            Cap.VIEW_PUPILS,
            Cap.VIEW_ALL_PUPILS,
            Cap.MANAGE_PUPILS,
            Cap.VIEW_PARENTS,
            Cap.VIEW_ALL_PERSONAL_DATA,
            Cap.REPORT_INCIDENT,
            Cap.VIEW_CONSENT,
            Cap.VIEW_CONSENT_RECORDS,
            Cap.PLAN_POSTS,
            Cap.VIEW_PHONES,
        }
    ),
    # A teacher sees the pupils of their own classes, never the whole school nor a UPN.
    Role.TEACHER: frozenset({Cap.VIEW_SCHOOL, Cap.VIEW_PUPILS, Cap.REPORT_INCIDENT, Cap.VIEW_CONSENT, Cap.PLAN_POSTS}),
    # Support staff see no pupil list at all (no wider than a teacher).
    Role.SUPPORT_STAFF: frozenset({Cap.VIEW_SCHOOL, Cap.REPORT_INCIDENT, Cap.VIEW_CONSENT, Cap.PLAN_POSTS}),
    # Governors see the termly summary, never an individual incident.
    Role.GOVERNOR: frozenset({Cap.VIEW_SCHOOL, Cap.VIEW_INCIDENT_SUMMARY}),
    Role.CHAIR_OF_GOVERNORS: frozenset({Cap.VIEW_SCHOOL, Cap.VIEW_INCIDENT_SUMMARY, Cap.SIGN_APPROVAL_AS_CHAIR}),
    Role.VOLUNTEER: frozenset({Cap.VIEW_SCHOOL, Cap.REPORT_INCIDENT}),
    Role.CONTRACTOR: frozenset({Cap.VIEW_SCHOOL, Cap.REPORT_INCIDENT}),
    Role.VISITOR: frozenset({Cap.VIEW_SCHOOL, Cap.REPORT_INCIDENT}),
    # Parents use /family/, which shows only their own children.
    Role.PARENT: frozenset(),
    Role.TRUST_OFFICER: frozenset(
        {
            Cap.VIEW_COMPLIANCE,
            Cap.VIEW_SCHOOL,
            Cap.VIEW_STAFF,
            Cap.VIEW_PUPILS,
            Cap.VIEW_ALL_PUPILS,
            Cap.VIEW_PARENTS,
            Cap.VIEW_AUDIT_LOG,
            Cap.VIEW_SAFEGUARDING,
            Cap.VIEW_INCIDENT_LOG,
            Cap.VIEW_ALL_PERSONAL_DATA,
            Cap.VIEW_INCIDENT_SUMMARY,
            Cap.VIEW_RETENTION,
            Cap.MANAGE_LEGAL_HOLDS,
            Cap.HANDLE_SUBJECT_ACCESS,
        }
    ),
}
# The deputy DSL stands in for the DSL: the same access, flagged incidents included.
ROLE_CAPABILITIES[Role.DEPUTY_DSL] = ROLE_CAPABILITIES[Role.DSL]

# Capabilities that expose safeguarding records or the whole school's personal data:
# anyone who holds one must use two-factor authentication and gets a short idle
# timeout.
SENSITIVE_CAPABILITIES = frozenset(
    {
        Cap.VIEW_SAFEGUARDING,
        Cap.VIEW_INCIDENT_LOG,
        Cap.VIEW_SAFEGUARDING_INCIDENTS,
        Cap.VIEW_ALL_PERSONAL_DATA,
        Cap.VIEW_ALL_PUPILS,
        Cap.HANDLE_SUBJECT_ACCESS,
    }
)

# Granting a role that reaches sensitive data, or that manages people, needs
# MANAGE_ROLES: the office can invite a teacher but not make someone a DSL.
PRIVILEGED_ROLES = frozenset(
    role
    for role, caps in ROLE_CAPABILITIES.items()
    if caps & (SENSITIVE_CAPABILITIES | {Cap.MANAGE_PEOPLE, Cap.MANAGE_ROLES, Cap.VIEW_AUDIT_LOG})
)

# What a trust officer may do at trust level (/t/<trust_slug>/): the trust's own
# policies, written once for every school, and the roll-up of every school's figures.
TRUST_CAPABILITIES = frozenset({Cap.VIEW_COMPLIANCE, Cap.MANAGE_POLICIES, Cap.MANAGE_RETENTION})

SCHOOL_ROLES = [r for r in Role if r != Role.TRUST_OFFICER]
STAFF_ROLES = [r for r in SCHOOL_ROLES if r != Role.PARENT]


def capabilities_for(roles) -> frozenset[str]:
    caps: set[str] = set()
    for role in roles:
        caps |= ROLE_CAPABILITIES.get(role, frozenset())
    return frozenset(caps)


def roles_with(capability: str) -> list[str]:
    """Every role that grants `capability` (for queries: who can do this?)."""
    return [role for role, caps in ROLE_CAPABILITIES.items() if capability in caps]


def roles_are_sensitive(roles) -> bool:
    return bool(capabilities_for(roles) & SENSITIVE_CAPABILITIES)
