from datetime import datetime

import strawberry


@strawberry.type
class TotpEnrollment:
    secret: str = strawberry.field(
        description="Base32, for typing into an authenticator; shown only now."
    )
    otpauth_uri: str = strawberry.field(description="The same secret as an `otpauth://` URI.")
    qr_code_svg_data_uri: str = strawberry.field(
        description="The URI as a QR code: an SVG `data:` URI, ready for an `<img src>`."
    )


@strawberry.type
class ReauthenticatePayload:
    reauthenticated_until: datetime = strawberry.field(
        description="Until then, this session may start or revert a restore."
    )
