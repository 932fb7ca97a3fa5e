"""Realistic, varied property values for the seeded records.

Each property gets a pool of pre-encoded JSON members (`"name":"value"`, or "" for a blank
value, which is stored as an absent key). A record picks one member per property at random,
so building 20 million values costs a random draw and a join, not a formatter call each.
"""

import json
import random
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta

from models.crm import PropertyType


def _split(text: str, separator: str | None = None) -> tuple[str, ...]:
    return tuple(text.split(separator))


POOL_BITS = 12  # 4,096 distinct values per property
POOL_SIZE = 1 << POOL_BITS

FIRST_NAMES = _split(
    "James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara "
    "Richard Susan Joseph Jessica Thomas Sarah Charles Karen Daniel Nancy Matthew Lisa Anthony "
    "Betty Mark Sandra Paul Ashley Steven Emily Andrew Kimberly Joshua Donna Kenneth Michelle "
    "José María François Zoë Søren Björn Chloé Łukasz Ana Hiroshi Yuki Wei Fatima Omar Priya "
    "Aarav Ngozi Chidi Elif Mateo Lucía Anaïs Jürgen Ines"
)
LAST_NAMES = _split(
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez "
    "Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White "
    "Harris Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres "
    "Müller Schmidt Nguyễn Kowalski Dubois Rossi Tanaka Suzuki Okafor Öztürk Fernández "
    "O'Brien O'Connor Jansen Johansson Novák Petrović Chen Wang Singh Patel Kim Silva"
)
CITIES = _split(
    (
        "New York|Los Angeles|Chicago|Houston|Phoenix|Philadelphia|San Antonio|San Diego|Dallas|"
        "Austin|Boston|Seattle|Denver|Toronto|Montréal|Vancouver|London|Manchester|Dublin|Paris|"
        "Lyon|Berlin|München|Hamburg|Amsterdam|Rotterdam|Brussels|Madrid|Barcelona|Lisbon|Milan|"
        "Rome|Zürich|Vienna|Prague|Warsaw|Kraków|Stockholm|Oslo|København|Helsinki|São Paulo|"
        "Mexico City|Bogotá|Buenos Aires|Sydney|Melbourne|Auckland|Tokyo|Osaka|Seoul|Singapore|"
        "Bangalore|Mumbai|Dubai|Tel Aviv|Istanbul|Lagos|Nairobi|Cape Town"
    ),
    "|",
)
COUNTRIES = _split(
    (
        "United States|Canada|United Kingdom|Ireland|France|Germany|Netherlands|Belgium|Spain|"
        "Portugal|Italy|Switzerland|Austria|Czechia|Poland|Sweden|Norway|Denmark|Finland|Brazil|"
        "Mexico|Colombia|Argentina|Australia|New Zealand|Japan|South Korea|Singapore|India|"
        "United Arab Emirates|Israel|Türkiye|Nigeria|Kenya|South Africa"
    ),
    "|",
)
STATES = _split("CA NY TX FL WA MA IL CO GA NC OR AZ ON BC QC NSW VIC")
WORDS = _split(
    "account action agenda alignment analysis annual approval audit background bandwidth "
    "benchmark billing brand budget campaign capacity catalog client cloud compliance "
    "contract conversion cost coverage customer dashboard data deadline delivery demo "
    "deployment discount discovery document draft engagement estimate event expansion "
    "feedback follow-up forecast funnel growth handoff implementation integration invoice "
    "kickoff launch lead license logistics margin market meeting migration milestone "
    "negotiation onboarding opportunity order partner payment pilot pipeline plan platform "
    "policy portal pricing priority procurement product project proposal prospect quarter "
    "quote referral region release renewal report request requirement review revenue risk "
    "roadmap rollout sales schedule security segment service shipment signature solution "
    "sprint stakeholder strategy subscription support survey team template territory "
    "timeline training trial upgrade usage vendor webinar workflow workshop"
)
INDUSTRIES = _split(
    (
        "Software|Retail|Manufacturing|Healthcare|Financial Services|Education|Real Estate|"
        "Logistics|Hospitality|Construction|Energy|Telecommunications|Media & Entertainment|"
        "Non-profit|Legal Services|Automotive|Food & Beverage|Biotechnology|Consulting|Insurance"
    ),
    "|",
)
COMPANY_SUFFIXES = ("Inc.", "LLC", "Ltd", "GmbH", "S.A.", "& Co", "Group", "Labs", "Partners")
JOB_TITLES = _split(
    (
        "CEO|CTO|CFO|VP of Sales|Head of Marketing|Account Executive|Sales Manager|Office Manager|"
        "Software Engineer|Product Manager|Operations Director|Procurement Lead|IT Administrator|"
        "Customer Success Manager|Founder|Consultant|Analyst|Buyer|Project Manager|Designer"
    ),
    "|",
)

Generator = Callable[[random.Random], str]


def _person(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"


def _email(rng: random.Random) -> str:
    first = rng.choice(FIRST_NAMES).lower()
    last = rng.choice(LAST_NAMES).lower().replace(" ", "").replace("'", "")
    return f"{first}.{last}{rng.randrange(1000)}@{_domain(rng)}"


def _company(rng: random.Random) -> str:
    return f"{rng.choice(LAST_NAMES)} {rng.choice(WORDS).title()} {rng.choice(COMPANY_SUFFIXES)}"


def _domain(rng: random.Random) -> str:
    tld = rng.choice(("com", "io", "co.uk", "de", "fr", "net", "org"))
    return f"{rng.choice(WORDS)}{rng.choice(LAST_NAMES).lower()[:6]}.{tld}".replace("'", "")


def _phone(rng: random.Random) -> str:
    return (
        f"+{rng.choice((1, 33, 44, 49, 61))} {rng.randrange(100, 999)} {rng.randrange(10**6):06d}"
    )


def _url(rng: random.Random) -> str:
    return f"https://www.{_domain(rng)}/{rng.choice(WORDS)}/{rng.randrange(10**5)}"


def _address(rng: random.Random) -> str:
    street = rng.choice(("Main St", "Oak Avenue", "Market Street", "Rue de la Paix", "Hauptstr."))
    return f"{rng.randrange(1, 9999)} {street}"


def _code(rng: random.Random) -> str:
    letters = "".join(rng.choices("ABCDEFGHJKLMNPQRSTUVWXYZ", k=3))
    return f"{letters}-{rng.randrange(10**7):07d}"


def _phrase(rng: random.Random) -> str:
    return " ".join(rng.choices(WORDS, k=rng.randint(2, 6))).capitalize()


def _paragraph(rng: random.Random) -> str:
    """Notes as people write them: commas, now and then a quote or a line break."""
    sentences = []
    for _ in range(rng.randint(1, 4)):
        words = rng.choices(WORDS, k=rng.randint(5, 14))
        if rng.random() < 0.3:
            words[rng.randrange(len(words))] += ","
        sentences.append(" ".join(words).capitalize() + ".")
    text = " ".join(sentences)
    if rng.random() < 0.05:
        text += f' Customer said: "{_phrase(rng).lower()}".'
    if rng.random() < 0.05:
        text += f"\nNext: {_phrase(rng).lower()}"
    return text


def _number(rng: random.Random) -> str:
    if rng.random() < 0.5:
        return str(rng.randrange(1, 10 ** rng.randint(1, 7)))
    return f"{rng.uniform(0, 10 ** rng.randint(1, 6)):.2f}"


def _date(rng: random.Random) -> str:
    return (date(2018, 1, 1) + timedelta(days=rng.randrange(3650))).isoformat()


def _datetime(rng: random.Random) -> str:
    at = datetime(2018, 1, 1, tzinfo=UTC) + timedelta(seconds=rng.randrange(315_360_000))
    return at.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _bool(rng: random.Random) -> str:
    return rng.choice(("true", "false"))


# The first keyword found in a STRING property's name picks its kind of value.
STRING_KINDS: tuple[tuple[str, Generator], ...] = (
    ("email", _email),
    ("phone", _phone),
    ("number", _phone),
    ("url", _url),
    ("website", _url),
    ("page", _url),
    ("image", _url),
    ("domain", _domain),
    ("address", _address),
    ("city", lambda rng: rng.choice(CITIES)),
    ("country", lambda rng: rng.choice(COUNTRIES)),
    ("state", lambda rng: rng.choice(STATES)),
    ("zip", lambda rng: f"{rng.randrange(10**5):05d}"),
    ("industry", lambda rng: rng.choice(INDUSTRIES)),
    ("jobtitle", lambda rng: rng.choice(JOB_TITLES)),
    ("company", _company),
    ("product", _phrase),
    ("dealname", _phrase),
    ("firstname", lambda rng: rng.choice(FIRST_NAMES)),
    ("lastname", lambda rng: rng.choice(LAST_NAMES)),
    ("name", _person),
    ("sku", _code),
    ("barcode", _code),
    ("_id", _code),
    ("body", _paragraph),
    ("content", _paragraph),
    ("description", _paragraph),
    ("notes", _paragraph),
    ("preview", _paragraph),
    ("reason", _paragraph),
)

TYPED: dict[PropertyType, Generator] = {
    PropertyType.NUMBER: _number,
    PropertyType.DATE: _date,
    PropertyType.DATETIME: _datetime,
    PropertyType.BOOL: _bool,
}

# How often a property is left blank varies: names almost never, notes often.
BLANK_SHARES = (0.0, 0.02, 0.05, 0.15, 0.3, 0.5)


def generator_for(name: str, kind: PropertyType, options: Sequence[str]) -> Generator:
    if kind == PropertyType.ENUMERATION:
        return lambda rng: rng.choice(options)
    if kind in TYPED:
        return TYPED[kind]
    for keyword, generator in STRING_KINDS:
        if keyword in name:
            return generator
    return _phrase


def member_pool(
    name: str, kind: PropertyType, options: Sequence[str], rng: random.Random
) -> list[str]:
    """POOL_SIZE JSON members for one property; a share of them blank ("")."""
    generate = generator_for(name, kind, options)
    blank = rng.choice(BLANK_SHARES)
    key = json.dumps(name)
    return [
        "" if rng.random() < blank else f"{key}:{json.dumps(generate(rng), ensure_ascii=False)}"
        for _ in range(POOL_SIZE)
    ]


def record_json(pools: Sequence[Sequence[str]], rng: random.Random) -> str:
    bits = rng.getrandbits
    return "{" + ",".join([m for pool in pools if (m := pool[bits(POOL_BITS)])]) + "}"
