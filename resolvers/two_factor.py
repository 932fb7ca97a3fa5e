from schema.context import Info
from schema.two_factor import ReauthenticatePayload, TotpEnrollment
from services import accounts


async def start_totp_enrollment(info: Info, current_code: str | None = None) -> TotpEnrollment:
    enrollment = await accounts.start_totp_enrollment(info.context.require_viewer(), current_code)
    return TotpEnrollment(
        secret=enrollment.secret,
        otpauth_uri=enrollment.otpauth_uri,
        qr_code_svg_data_uri=enrollment.qr_code_svg_data_uri,
    )


async def confirm_totp_enrollment(info: Info, code: str) -> bool:
    await accounts.confirm_totp_enrollment(info.context.require_viewer(), code)
    return True


async def reauthenticate(info: Info, code: str) -> ReauthenticatePayload:
    until = await accounts.reauthenticate(info.context.require_viewer(), code)
    return ReauthenticatePayload(reauthenticated_until=until)
