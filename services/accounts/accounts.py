"""Creating accounts (with the standard object types) and their users; the viewer's account."""

from tortoise.exceptions import IntegrityError

from models.accounts import Account, Role, Tier, User
from models.crm import ObjectType, Property
from services.accounts import passwords
from services.core import database
from services.core.errors import ValidationFailed
from services.core.text import check_text, column_length
from services.core.viewer import Viewer
from services.crm import STANDARD_OBJECT_TYPES

EMAIL_LENGTH = column_length(User, "email")
USER_NAME_LENGTH = column_length(User, "name")


async def create_account(name: str, tier: Tier) -> Account:
    async with database.transaction():
        account = await Account.create(name=name, tier=tier)
        for spec in STANDARD_OBJECT_TYPES:
            object_type = await ObjectType.create(
                account=account,
                name=spec.name,
                singular_label=spec.singular_label,
                plural_label=spec.plural_label,
            )
            await Property.bulk_create(
                Property(
                    object_type=object_type,
                    name=prop.name,
                    label=prop.label,
                    type=prop.type,
                    options=list(prop.options),
                    sensitive=prop.sensitive,
                )
                for prop in spec.properties
            )
    return account


async def get_account(viewer: Viewer) -> Account:
    return await Account.get(id=viewer.account_id)


def normalise_email(email: str) -> str:
    email = check_text(email.strip().lower(), "email", EMAIL_LENGTH)
    local, _, domain = email.partition("@")
    if not local or "." not in domain:
        raise ValidationFailed(f"{email!r} is not an email address.", field="email")
    return email


def check_password_strength(password: str) -> None:
    check_text(password, "password")
    if len(password) < passwords.MIN_LENGTH:
        raise ValidationFailed(
            f"A password needs at least {passwords.MIN_LENGTH} characters.", field="password"
        )


async def create_user(
    account: Account, email: str, role: Role, *, name: str = "", password: str | None = None
) -> User:
    """A user with a password can sign in at once; one without waits for an invitation."""
    if password is not None:
        check_password_strength(password)
    try:
        return await User.create(
            account=account,
            email=normalise_email(email),
            name=check_text(name, "name", USER_NAME_LENGTH),
            role=role,
            password_hash=passwords.hash_password(password) if password else None,
        )
    except IntegrityError:
        raise ValidationFailed(f"A user with the email {email!r} exists.", field="email") from None
