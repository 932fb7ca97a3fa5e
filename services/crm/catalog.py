"""The standard object types every account has, with their default property definitions."""

from dataclasses import dataclass, field

from models.crm import PropertyType


@dataclass(frozen=True)
class PropertySpec:
    name: str
    label: str
    type: PropertyType = PropertyType.STRING
    options: tuple[str, ...] = ()
    sensitive: bool = False


@dataclass(frozen=True)
class ObjectTypeSpec:
    name: str
    singular_label: str
    plural_label: str
    properties: tuple[PropertySpec, ...] = field(default=())


S, N, D, DT, B, E = (
    PropertyType.STRING,
    PropertyType.NUMBER,
    PropertyType.DATE,
    PropertyType.DATETIME,
    PropertyType.BOOL,
    PropertyType.ENUMERATION,
)

STANDARD_OBJECT_TYPES: tuple[ObjectTypeSpec, ...] = (
    ObjectTypeSpec(
        "contacts",
        "Contact",
        "Contacts",
        (
            PropertySpec("firstname", "First name"),
            PropertySpec("lastname", "Last name"),
            PropertySpec("email", "Email"),
            PropertySpec("phone", "Phone number", sensitive=True),
            PropertySpec("jobtitle", "Job title"),
            PropertySpec(
                "lifecyclestage",
                "Lifecycle stage",
                E,
                ("subscriber", "lead", "opportunity", "customer"),
            ),
            PropertySpec("date_of_birth", "Date of birth", D, sensitive=True),
            PropertySpec("email_opt_out", "Opted out of email", B),
        ),
    ),
    ObjectTypeSpec(
        "companies",
        "Company",
        "Companies",
        (
            PropertySpec("name", "Company name"),
            PropertySpec("domain", "Company domain name"),
            PropertySpec("industry", "Industry"),
            PropertySpec("numberofemployees", "Number of employees", N),
            PropertySpec("annualrevenue", "Annual revenue", N),
            PropertySpec("city", "City"),
        ),
    ),
    ObjectTypeSpec(
        "deals",
        "Deal",
        "Deals",
        (
            PropertySpec("dealname", "Deal name"),
            PropertySpec("amount", "Amount", N),
            PropertySpec(
                "dealstage",
                "Deal stage",
                E,
                (
                    "appointmentscheduled",
                    "qualifiedtobuy",
                    "contractsent",
                    "closedwon",
                    "closedlost",
                ),
            ),
            PropertySpec("closedate", "Close date", D),
            PropertySpec("pipeline", "Pipeline"),
        ),
    ),
    ObjectTypeSpec(
        "tickets",
        "Ticket",
        "Tickets",
        (
            PropertySpec("subject", "Ticket name"),
            PropertySpec("content", "Ticket description"),
            PropertySpec("hs_ticket_priority", "Priority", E, ("LOW", "MEDIUM", "HIGH")),
            PropertySpec(
                "hs_pipeline_stage",
                "Ticket status",
                E,
                ("new", "waiting_on_contact", "waiting_on_us", "closed"),
            ),
        ),
    ),
    ObjectTypeSpec(
        "products",
        "Product",
        "Products",
        (
            PropertySpec("name", "Name"),
            PropertySpec("price", "Unit price", N),
            PropertySpec("hs_sku", "SKU"),
            PropertySpec("description", "Description"),
        ),
    ),
    ObjectTypeSpec(
        "calls",
        "Call",
        "Calls",
        (
            PropertySpec("hs_call_title", "Call title"),
            PropertySpec("hs_call_body", "Call notes"),
            PropertySpec("hs_call_duration", "Call duration (ms)", N),
            PropertySpec("hs_timestamp", "Activity date", DT),
        ),
    ),
    ObjectTypeSpec(
        "conversations",
        "Conversation",
        "Conversations",
        (
            PropertySpec("subject", "Subject"),
            PropertySpec("channel", "Channel", E, ("email", "chat", "form")),
            PropertySpec("status", "Status", E, ("open", "closed")),
        ),
    ),
    ObjectTypeSpec(
        "tasks",
        "Task",
        "Tasks",
        (
            PropertySpec("hs_task_subject", "Task title"),
            PropertySpec(
                "hs_task_status",
                "Task status",
                E,
                ("NOT_STARTED", "IN_PROGRESS", "WAITING", "COMPLETED"),
            ),
            PropertySpec("hs_task_priority", "Priority", E, ("LOW", "MEDIUM", "HIGH")),
            PropertySpec("hs_timestamp", "Due date", DT),
        ),
    ),
)

# How people read the standard enumerations' internal values; a custom option is its own label.
OPTION_LABELS: dict[str, str] = {
    "subscriber": "Subscriber",
    "lead": "Lead",
    "opportunity": "Opportunity",
    "customer": "Customer",
    "appointmentscheduled": "Appointment scheduled",
    "qualifiedtobuy": "Qualified to buy",
    "contractsent": "Contract sent",
    "closedwon": "Closed won",
    "closedlost": "Closed lost",
    "LOW": "Low",
    "MEDIUM": "Medium",
    "HIGH": "High",
    "new": "New",
    "waiting_on_contact": "Waiting on contact",
    "waiting_on_us": "Waiting on us",
    "closed": "Closed",
    "email": "Email",
    "chat": "Chat",
    "form": "Form",
    "open": "Open",
    "NOT_STARTED": "Not started",
    "IN_PROGRESS": "In progress",
    "WAITING": "Waiting",
    "COMPLETED": "Completed",
}
