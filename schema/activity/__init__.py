"""The viewer's notifications and the account's audit log."""
