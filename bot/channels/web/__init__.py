"""The web channel: citizen chat, JSON API and staff console on one Starlette app (`policybot serve`)."""
from .app import STAFF_DAY, WebConfig, create_app, staff_clock

__all__ = ["STAFF_DAY", "WebConfig", "create_app", "staff_clock"]
