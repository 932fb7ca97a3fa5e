"""Seeding the benchmark account: the standard object types, custom properties up to about 20
per type, and records written with COPY (the ORM would take an hour for a million rows)."""

import random
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from uuid import UUID

import asyncpg

from bench import values
from models.accounts import Tier
from models.comparisons import MassChangeSettings
from models.crm import ObjectType, Property, PropertyType
from models.ids import new_id
from services.accounts import create_account
from services.crm.catalog import DT, B, D, E, N, S

PROPERTIES_PER_TYPE = 20
BATCH = 50_000
# One record in the recycle bin for every hundred live ones: the export must leave them out.
DELETED_PER_LIVE = 100
RECORD_COLUMNS = (
    "id",
    "account_id",
    "object_type_id",
    "properties",
    "created_at",
    "updated_at",
    "deleted_at",
)

LEVELS = ("low", "medium", "high")
SOURCES = ("ORGANIC_SEARCH", "PAID_SEARCH", "EMAIL_MARKETING", "SOCIAL_MEDIA", "REFERRALS")

# Custom properties an account typically adds, per standard type: (name, type, options).
CUSTOM: dict[str, tuple[tuple[str, PropertyType, tuple[str, ...]], ...]] = {
    "contacts": (
        ("address", S, ()), ("city", S, ()), ("state", S, ()), ("zip", S, ()),
        ("country", S, ()), ("company", S, ()), ("website", S, ()), ("mobilephone", S, ()),
        ("hs_lead_status", E, ("NEW", "OPEN", "IN_PROGRESS", "UNQUALIFIED")),
        ("hs_analytics_source", E, SOURCES), ("notes_last_contacted", DT, ()),
        ("notes", S, ()),
    ),
    "companies": (
        ("phone", S, ()), ("address", S, ()), ("state", S, ()), ("zip", S, ()),
        ("country", S, ()), ("website", S, ()), ("description", S, ()),
        ("type", E, ("PROSPECT", "PARTNER", "RESELLER", "VENDOR", "OTHER")),
        ("lifecyclestage", E, ("lead", "opportunity", "customer")), ("founded_year", N, ()),
        ("is_public", B, ()), ("linkedin_company_page", S, ()), ("timezone", S, ()),
        ("hs_analytics_source", E, SOURCES),
    ),
    "deals": (
        ("dealtype", E, ("newbusiness", "existingbusiness")), ("hs_priority", E, LEVELS),
        ("description", S, ()), ("hs_forecast_probability", N, ()), ("hs_next_step", S, ()),
        ("closed_lost_reason", S, ()), ("closed_won_reason", S, ()), ("createdate", DT, ()),
        ("hs_lastmodifieddate", DT, ()), ("hs_analytics_source", E, SOURCES),
        ("deal_currency_code", E, ("EUR", "USD", "GBP")), ("hs_acv", N, ()), ("hs_mrr", N, ()),
        ("hs_is_closed", B, ()), ("hubspot_owner_email", S, ()),
    ),
    "tickets": (
        ("source_type", E, ("EMAIL", "CHAT", "PHONE", "FORM")),
        ("hs_ticket_category", E, ("PRODUCT_ISSUE", "BILLING_ISSUE", "FEATURE_REQUEST")),
        ("createdate", DT, ()), ("closed_date", DT, ()), ("time_to_close", N, ()),
        ("hs_resolution", E, ("ISSUE_FIXED", "WORKAROUND", "DUPLICATE", "WONT_FIX")),
        ("hs_lastcontacted", DT, ()), ("first_agent_reply_date", DT, ()),
        ("hs_num_times_contacted", N, ()), ("customer_email", S, ()),
        ("customer_name", S, ()), ("product_name", S, ()), ("hs_feedback_rating", N, ()),
        ("hs_sentiment", E, ("POSITIVE", "NEUTRAL", "NEGATIVE")), ("notes", S, ()),
        ("hs_is_escalated", B, ()),
    ),
    "products": (
        ("hs_cost_of_goods_sold", N, ()),
        ("hs_recurring_billing_period", E, ("P1M", "P3M", "P12M")),
        ("hs_product_type", E, ("inventory", "non_inventory", "service")), ("hs_url", S, ()),
        ("hs_images", S, ()), ("hs_folder", S, ()), ("tax", N, ()), ("discount", N, ()),
        ("createdate", DT, ()), ("hs_lastmodifieddate", DT, ()), ("hs_category", S, ()),
        ("hs_manufacturer", S, ()), ("hs_weight", N, ()), ("hs_is_active", B, ()),
        ("hs_barcode", S, ()), ("hs_launch_date", D, ()),
    ),
    "calls": (
        ("hs_call_direction", E, ("INBOUND", "OUTBOUND")),
        ("hs_call_disposition", E, ("CONNECTED", "BUSY", "NO_ANSWER", "LEFT_VOICEMAIL")),
        ("hs_call_status", E, ("COMPLETED", "FAILED", "CANCELED")),
        ("hs_call_from_number", S, ()), ("hs_call_to_number", S, ()),
        ("hs_call_recording_url", S, ()), ("hs_call_source", E, ("CRM_UI", "INTEGRATION")),
        ("hs_createdate", DT, ()), ("hs_lastmodifieddate", DT, ()),
        ("hs_call_callee_name", S, ()), ("hs_call_caller_name", S, ()),
        ("hs_call_outcome", E, ("Interested", "Not interested", "Call back later")),
        ("hs_call_has_transcript", B, ()), ("hs_activity_type", S, ()),
        ("hubspot_owner_email", S, ()), ("hs_call_external_id", S, ()),
    ),
    "conversations": (
        ("hs_thread_id", S, ()), ("hs_inbox_name", S, ()), ("hs_assigned_agent_name", S, ()),
        ("hs_customer_email", S, ()), ("hs_customer_name", S, ()),
        ("hs_first_message_at", DT, ()), ("hs_last_message_at", DT, ()),
        ("hs_message_count", N, ()), ("hs_priority", E, LEVELS),
        ("hs_language", E, ("en", "fr", "de", "es", "pt", "ja")),
        ("hs_latest_message_preview", S, ()), ("hs_originating_channel", S, ()),
        ("hs_closed_at", DT, ()), ("hs_satisfaction", N, ()), ("hs_tags", S, ()),
        ("hs_is_spam", B, ()), ("hs_topic", S, ()),
    ),
    "tasks": (
        ("hs_task_body", S, ()), ("hs_task_type", E, ("CALL", "EMAIL", "TODO")),
        ("hs_task_reminders", DT, ()), ("hs_createdate", DT, ()),
        ("hs_lastmodifieddate", DT, ()), ("hs_task_completion_date", DT, ()),
        ("hs_task_is_overdue", B, ()),
        ("hs_task_for_object_type", E, ("CONTACT", "COMPANY", "DEAL", "TICKET")),
        ("hubspot_owner_email", S, ()), ("hs_task_sequence_step", N, ()),
        ("hs_task_repeat_interval", E, ("P1D", "P1W", "P1M")), ("hs_task_contact_name", S, ()),
        ("hs_task_company_name", S, ()), ("hs_task_estimated_minutes", N, ()),
        ("hs_task_category", E, ("FOLLOW_UP", "RESEARCH", "ADMIN")),
        ("hs_task_due_date", D, ()),
    ),
}  # fmt: skip

# How an account's records spread over the types: activity and people dominate.
SHARES = {
    "contacts": 0.28,
    "companies": 0.08,
    "deals": 0.10,
    "tickets": 0.08,
    "products": 0.02,
    "calls": 0.16,
    "conversations": 0.10,
    "tasks": 0.18,
}


@dataclass
class SeededType:
    id: UUID
    name: str
    share: float
    pools: list[list[str]]


@dataclass
class SeededAccount:
    id: UUID
    types: list[SeededType]
    # Live records seeded so far.
    live: int = 0
    _rng: random.Random = field(default_factory=lambda: random.Random(20261101))


async def create_bench_account() -> SeededAccount:
    """The account, its types with about PROPERTIES_PER_TYPE properties, and value pools."""
    account = await create_account("Benchmark", Tier.ENTERPRISE)
    # No mass-change alerts: the comparison each backup would queue runs beside the next
    # round's floor and would slow it.
    await MassChangeSettings.create(account_id=account.id, enabled=False)
    rng = random.Random(1)
    types = []
    for object_type in await ObjectType.filter(account_id=account.id).order_by("name"):
        await _add_custom_properties(object_type)
        properties = await Property.filter(object_type_id=object_type.id).order_by("id")
        pools = [values.member_pool(p.name, p.type, p.options, rng) for p in properties]
        types.append(SeededType(object_type.id, object_type.name, SHARES[object_type.name], pools))
    return SeededAccount(account.id, types)


async def _add_custom_properties(object_type: ObjectType) -> None:
    existing = await Property.filter(object_type_id=object_type.id).count()
    wanted = CUSTOM[object_type.name][: max(0, PROPERTIES_PER_TYPE - existing)]
    await Property.bulk_create(
        Property(
            object_type=object_type,
            name=name,
            label=name.replace("_", " ").capitalize(),
            type=kind,
            options=list(options),
            sensitive=name.endswith(("phone", "_number")),
        )
        for name, kind, options in wanted
    )


async def add_records(connection: asyncpg.Connection, account: SeededAccount, live: int) -> float:
    """Adds `live` live records (and a few deleted ones); returns the seconds it took."""
    started = time.perf_counter()
    deleted = live // DELETED_PER_LIVE
    rows = _records(account, live + deleted, deleted)
    while batch := [row for _, row in zip(range(BATCH), rows, strict=False)]:
        await connection.copy_records_to_table("records", records=batch, columns=RECORD_COLUMNS)
    account.live += live
    return time.perf_counter() - started


def _records(account: SeededAccount, total: int, deleted: int) -> Iterator[tuple[object, ...]]:
    """Rows in creation order (ids are time-ordered), types interleaved as in a real account."""
    rng = account._rng
    types = account.types
    weights = [t.share for t in types]
    created = datetime(2023, 1, 1, tzinfo=UTC) + timedelta(minutes=account.live)
    for number in range(total):
        kind = rng.choices(types, weights)[0]
        created += timedelta(minutes=1)
        updated = created + timedelta(days=rng.randrange(400))
        # Every DELETED_PER_LIVE + 1-th row sits in the recycle bin, `deleted` of them in all.
        in_bin = number % (DELETED_PER_LIVE + 1) == DELETED_PER_LIVE
        in_bin = in_bin and number < deleted * (DELETED_PER_LIVE + 1)
        properties = values.record_json(kind.pools, rng)
        yield (
            new_id(),
            account.id,
            kind.id,
            properties,
            created,
            updated,
            updated if in_bin else None,
        )
