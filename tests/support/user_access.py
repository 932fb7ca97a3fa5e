"""What super admins change about users over the API, and what other roles are told."""

USERS = "{ users { id email name role totpEnrolled disabled lastLoginAt hasPassword } }"
SUPER_ADMINS = "{ superAdmins { name email } }"
DISABLE = "mutation($id: ID!) { disableUser(userId: $id) { id disabled } }"
ENABLE = "mutation($id: ID!) { enableUser(userId: $id) { id disabled } }"
RESET_TWO_FACTOR = "mutation($id: ID!) { resetUserTwoFactor(userId: $id) { id totpEnrolled } }"
