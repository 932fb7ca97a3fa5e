"""The demo account created on the first embedded start: a small company's worth of records.

The values are generated from a fixed seed, so every fresh start shows the same data; only the
admin's password is random, and it is kept under ./var so that every later start can show it.
"""

import os
import random
import secrets
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from models.accounts import Account, Role, Tier, User
from models.crm import Association, ObjectType, Record
from services.accounts import passwords
from services.accounts.accounts import create_account, create_user
from services.core import database
from services.core.clock import now
from services.crm import STANDARD_OBJECT_TYPES

ACCOUNT_NAME = "Demo Company"
ADMIN_EMAIL = "admin@demo.example"
CREDENTIALS_PATH = Path("var") / "demo-credentials.txt"

SEED = 20260601
# Dates spread around a fixed day rather than today, so the data is the same on every start.
ANCHOR = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
COUNTS = {
    "contacts": 150,
    "companies": 40,
    "deals": 60,
    "tickets": 40,
    "products": 20,
    "calls": 40,
    "conversations": 20,
    "tasks": 40,
}
BLANK_CHANCE = 0.12
RECYCLED = 8

FIRST_NAMES = (
    "Amara",
    "Ben",
    "Chloé",
    "Dmitri",
    "Elena",
    "Farid",
    "Grace",
    "Hiro",
    "Ines",
    "Jonas",
    "Kofi",
    "Lena",
    "Mateo",
    "Nadia",
    "Oscar",
    "Priya",
    "Quentin",
    "Rosa",
    "Sven",
    "Tara",
    "Umar",
    "Vera",
    "Wei",
    "Ximena",
    "Yusuf",
    "Zoe",
)
LAST_NAMES = (
    "Adeyemi",
    "Berg",
    "Costa",
    "Dubois",
    "Eriksen",
    "Fischer",
    "García",
    "Hansen",
    "Ivanova",
    "Jensen",
    "Kowalski",
    "López",
    "Müller",
    "Nakamura",
    "O'Brien",
    "Patel",
    "Rossi",
    "Schmidt",
    "Tanaka",
    "Urban",
    "Virtanen",
    "Walsh",
    "Yilmaz",
    "Zhang",
)
COMPANY_WORDS = (
    "Acme",
    "Blue Harbor",
    "Cedar",
    "Delta",
    "Evergreen",
    "Foxglove",
    "Granite",
    "Helix",
    "Ironwood",
    "Juniper",
    "Keystone",
    "Lumen",
    "Meridian",
    "Northwind",
    "Orbit",
    "Pinnacle",
)
COMPANY_SUFFIXES = ("Labs", "Logistics", "Health", "Foods", "Systems", "Partners", "Energy")
INDUSTRIES = (
    "Software",
    "Logistics",
    "Healthcare",
    "Food & Beverage",
    "Manufacturing",
    "Retail",
    "Financial Services",
    "Energy",
    "Education",
)
CITIES = (
    "Amsterdam",
    "Austin",
    "Berlin",
    "Boston",
    "Dublin",
    "Lisbon",
    "Lyon",
    "Melbourne",
    "Montréal",
    "Nairobi",
    "Osaka",
    "São Paulo",
    "Toronto",
    "Warsaw",
)
JOB_TITLES = (
    "CEO",
    "CTO",
    "Head of Operations",
    "Sales Director",
    "Account Executive",
    "Procurement Manager",
    "Office Manager",
    "Data Analyst",
    "VP Marketing",
    "IT Administrator",
)
FREE_MAIL = ("mail.example", "inbox.example")
DEAL_KINDS = ("annual licence", "pilot", "renewal", "expansion", "onboarding package")
PRODUCTS = (
    ("Starter plan", "Monthly subscription for teams of up to 5."),
    ("Team plan", "Monthly subscription for teams of up to 50."),
    ("Business plan", "Annual subscription with priority support."),
    ("Onboarding workshop", "Half-day remote workshop for new customers."),
    ("Data migration", "One-off import of records from a previous system."),
    ("Premium support", "Four-hour response time, around the clock."),
    ("Extra storage 100 GB", "Additional backup storage."),
    ("Extra storage 1 TB", "Additional backup storage, large."),
    ("SSO add-on", "Single sign-on with SAML or OIDC."),
    ("Audit log export", "Daily export of the audit trail."),
    ("API access", "Higher API rate limits."),
    ("Sandbox account", "A second account for testing."),
    ("Custom report", "A report built to the customer's specification."),
    ("Training seat", "One seat in the monthly admin training."),
    ("Health check", "Yearly review of the customer's set-up."),
    ("Implementation", "Guided set-up over four weeks."),
    ("Compliance pack", "Retention policies and legal hold."),
    ("Integration connector", "Sync with an accounting system."),
    ("Dedicated manager", "A named customer success manager."),
    ("Archive retrieval", "Restore of records older than a year."),
    ("Usage analytics", "Dashboards of feature adoption."),
    ("White-label portal", "Customer portal in the client's branding."),
)
TICKET_SUBJECTS = (
    "Cannot sign in after password reset",
    "Invoice shows the wrong VAT number",
    "Export stops at 80 %",
    "Request to add a new admin",
    "Duplicate contacts after import",
    "Webhook deliveries failing",
    "Question about data retention",
    "Report totals do not match",
    "Slow search results",
    "Two-factor codes rejected",
)
CALL_TOPICS = (
    "Discovery call",
    "Quarterly review",
    "Pricing questions",
    "Renewal discussion",
    "Technical follow-up",
    "Onboarding kick-off",
)
CONVERSATION_SUBJECTS = (
    "Trial extension",
    "Billing address change",
    "Feature request: custom fields",
    "Access for a contractor",
    "Cancelled order",
    "Demo request",
)
TASK_SUBJECTS = (
    "Send proposal",
    "Follow up on quote",
    "Prepare contract",
    "Schedule demo",
    "Update billing details",
    "Check in after onboarding",
    "Book quarterly review",
)


@dataclass(frozen=True)
class Link:
    """An association between the `from_index`-th and `to_index`-th records of two types."""

    from_type: str
    from_index: int
    to_type: str
    to_index: int
    label: str


@dataclass
class DemoData:
    """What the demo account holds, before it gets ids: values per object type, in order."""

    values: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    links: list[Link] = field(default_factory=list)
    recycled: set[tuple[str, int]] = field(default_factory=set)


@dataclass(frozen=True)
class SignIn:
    email: str
    password: str


async def seed_once() -> None:
    """Create the demo account, unless the database already holds any account."""
    if not await is_first_start():
        return
    password = secrets.token_urlsafe(12)
    # Saved first: should seeding fail, the next start seeds again and overwrites the file,
    # whereas an account whose password was never saved could not be signed in to.
    save_credentials(SignIn(ADMIN_EMAIL, password))
    await seed(password)


async def is_first_start() -> bool:
    return not await Account.exists()


async def seed(password: str, email: str = ADMIN_EMAIL) -> Account:
    """The demo account, its super admin and its records, in one transaction."""
    data = generate(random.Random(SEED))
    async with database.transaction():
        account = await create_account(ACCOUNT_NAME, Tier.ENTERPRISE)
        await create_user(account, email, Role.SUPER_ADMIN, name="Demo Admin", password=password)
        await _insert(account, data)
    return account


async def _insert(account: Account, data: DemoData) -> None:
    type_ids = dict(await ObjectType.filter(account=account).values_list("name", "id"))
    deleted_at = now()
    records = {
        type_name: [
            Record(
                account=account,
                object_type_id=type_ids[type_name],
                properties=properties,
                deleted_at=deleted_at if (type_name, index) in data.recycled else None,
            )
            for index, properties in enumerate(rows)
        ]
        for type_name, rows in data.values.items()
    }
    await Record.bulk_create([record for rows in records.values() for record in rows])
    await Association.bulk_create(
        Association(
            account=account,
            from_record_id=records[link.from_type][link.from_index].id,
            to_record_id=records[link.to_type][link.to_index].id,
            label=link.label,
        )
        for link in data.links
    )


def save_credentials(sign_in: SignIn, path: Path = CREDENTIALS_PATH) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # Created private, so the password is never readable by others even briefly; the chmod
    # covers a file left by an earlier start with a wider mode.
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(f"{sign_in.email}\n{sign_in.password}\n")
    path.chmod(0o600)


def _read_credentials(path: Path = CREDENTIALS_PATH) -> SignIn | None:
    try:
        email, password = path.read_text().splitlines()
    except (OSError, ValueError):
        return None
    return SignIn(email, password)


async def sign_in_details(path: Path = CREDENTIALS_PATH) -> SignIn | None:
    """The saved demo sign-in, if it still works against this database."""
    saved = _read_credentials(path)
    if saved is None:
        return None
    user = await User.get_or_none(email=saved.email)
    if user is None or not passwords.verify_password(user.password_hash, saved.password):
        return None
    return saved


# Generating the values: pure functions of the random generator.


def generate(rng: random.Random) -> DemoData:
    data = DemoData()
    companies = _sample_company_names(rng)
    data.values["companies"] = [_company(rng, name) for name in companies]
    employers = [
        rng.randrange(len(companies)) if rng.random() < 0.8 else None
        for _ in range(COUNTS["contacts"])
    ]
    data.values["contacts"] = [
        _contact(rng, None if employer is None else data.values["companies"][employer]["domain"])
        for employer in employers
    ]
    data.links += [
        Link("contacts", index, "companies", employer, "Primary company")
        for index, employer in enumerate(employers)
        if employer is not None
    ]
    _add_deals(rng, data, companies, employers)
    data.values["tickets"] = [_ticket(rng) for _ in range(COUNTS["tickets"])]
    data.values["products"] = [
        _product(rng, index, product)
        for index, product in enumerate(rng.sample(PRODUCTS, COUNTS["products"]))
    ]
    data.values["calls"] = [_call(rng) for _ in range(COUNTS["calls"])]
    data.values["conversations"] = [_conversation(rng) for _ in range(COUNTS["conversations"])]
    data.values["tasks"] = [_task(rng) for _ in range(COUNTS["tasks"])]
    _blank_some(rng, data)
    _recycle_some(rng, data)
    return data


def _add_deals(
    rng: random.Random, data: DemoData, companies: list[str], employers: list[int | None]
) -> None:
    """Each deal is with one contact and named after the contact's company."""
    contacts = rng.choices(range(len(employers)), k=COUNTS["deals"])
    data.values["deals"] = []
    for index, contact in enumerate(contacts):
        employer = employers[contact]
        buyer = (
            data.values["contacts"][contact]["lastname"]
            if employer is None
            else (companies[employer])
        )
        data.values["deals"].append(_deal(rng, buyer))
        data.links.append(Link("deals", index, "contacts", contact, "Decision maker"))


def _blank_some(rng: random.Random, data: DemoData) -> None:
    """Leave some values empty (an absent key), as in any real CRM; never the first, the name."""
    for rows in data.values.values():
        for properties in rows:
            for name in list(properties)[1:]:
                if rng.random() < BLANK_CHANCE:
                    del properties[name]


def _recycle_some(rng: random.Random, data: DemoData) -> None:
    every = [
        (type_name, index) for type_name, rows in data.values.items() for index in range(len(rows))
    ]
    data.recycled = set(rng.sample(every, RECYCLED))


def _options(type_name: str, property_name: str) -> tuple[str, ...]:
    spec = next(spec for spec in STANDARD_OBJECT_TYPES if spec.name == type_name)
    return next(prop.options for prop in spec.properties if prop.name == property_name)


def _pick(rng: random.Random, type_name: str, property_name: str) -> str:
    return rng.choice(_options(type_name, property_name))


def _day(rng: random.Random, before: int, after: int) -> str:
    return (ANCHOR.date() + timedelta(days=rng.randint(-before, after))).isoformat()


def _moment(rng: random.Random, before: int, after: int) -> str:
    minutes = rng.randint(-before * 24 * 4, after * 24 * 4) * 15
    return (ANCHOR + timedelta(minutes=minutes)).isoformat()


def _slug(text: str) -> str:
    return "".join(char for char in text.lower() if char.isascii() and char.isalnum())


def _sample_company_names(rng: random.Random) -> list[str]:
    names = [f"{word} {suffix}" for word in COMPANY_WORDS for suffix in COMPANY_SUFFIXES]
    return rng.sample(names, COUNTS["companies"])


def _company(rng: random.Random, name: str) -> dict[str, str]:
    employees = rng.choice((8, 25, 60, 140, 320, 900, 2400)) + rng.randint(0, 40)
    revenue = employees * rng.randrange(60_000, 240_000, 500)
    return {
        "name": name,
        "domain": f"{_slug(name)}.example",
        "industry": rng.choice(INDUSTRIES),
        "numberofemployees": str(employees),
        "annualrevenue": str(revenue),
        "city": rng.choice(CITIES),
    }


def _contact(rng: random.Random, domain: str | None) -> dict[str, str]:
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    birthday = date(1958, 1, 1) + timedelta(days=rng.randrange(42 * 365))
    return {
        "firstname": first,
        "lastname": last,
        "email": f"{_slug(first)}.{_slug(last)}@{domain or rng.choice(FREE_MAIL)}",
        "phone": f"+1 555 {rng.randint(100, 999)} {rng.randint(1000, 9999)}",
        "jobtitle": rng.choice(JOB_TITLES),
        "lifecyclestage": _pick(rng, "contacts", "lifecyclestage"),
        "date_of_birth": birthday.isoformat(),
        "email_opt_out": "true" if rng.random() < 0.1 else "false",
    }


def _deal(rng: random.Random, buyer: str) -> dict[str, str]:
    return {
        "dealname": f"{buyer} - {rng.choice(DEAL_KINDS)}",
        "amount": f"{rng.randrange(1_500, 180_000, 250)}.{rng.choice(('00', '50', '99'))}",
        "dealstage": _pick(rng, "deals", "dealstage"),
        "closedate": _day(rng, 240, 120),
        "pipeline": rng.choice(("default", "renewals")),
    }


def _ticket(rng: random.Random) -> dict[str, str]:
    subject = rng.choice(TICKET_SUBJECTS)
    return {
        "subject": subject,
        "content": f"Customer reports: {subject.lower()}. Reproduced on {_day(rng, 90, 0)}.",
        "hs_ticket_priority": _pick(rng, "tickets", "hs_ticket_priority"),
        "hs_pipeline_stage": _pick(rng, "tickets", "hs_pipeline_stage"),
    }


def _product(rng: random.Random, index: int, product: tuple[str, str]) -> dict[str, str]:
    name, description = product
    return {
        "name": name,
        "price": f"{rng.choice((19, 49, 99, 249, 499, 1200, 4800))}.{rng.choice(('00', '90'))}",
        "hs_sku": f"DEMO-{1001 + index}",
        "description": description,
    }


def _call(rng: random.Random) -> dict[str, str]:
    topic = rng.choice(CALL_TOPICS)
    return {
        "hs_call_title": f"{topic} with {rng.choice(FIRST_NAMES)}",
        "hs_call_body": f"{topic}: agreed next steps, follow-up in {rng.randint(1, 4)} weeks.",
        "hs_call_duration": str(rng.randint(2, 55) * 60_000 + rng.randint(0, 59) * 1000),
        "hs_timestamp": _moment(rng, 180, 0),
    }


def _conversation(rng: random.Random) -> dict[str, str]:
    return {
        "subject": rng.choice(CONVERSATION_SUBJECTS),
        "channel": _pick(rng, "conversations", "channel"),
        "status": _pick(rng, "conversations", "status"),
    }


def _task(rng: random.Random) -> dict[str, str]:
    return {
        "hs_task_subject": rng.choice(TASK_SUBJECTS),
        "hs_task_status": _pick(rng, "tasks", "hs_task_status"),
        "hs_task_priority": _pick(rng, "tasks", "hs_task_priority"),
        "hs_timestamp": _moment(rng, 30, 60),
    }
