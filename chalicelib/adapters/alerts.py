"""Agents' alert profiles (AGENT#<email> / PROFILE, one JSON document) and the per-recipient SMS quota
(SMSQUOTA#<recipient> / <window>: a counter raised by a conditional ADD, so racing senders never pass
the limit; TTL removes it after its window)."""
from __future__ import annotations

from datetime import datetime, time

from pynamodb.exceptions import UpdateError

from chalicelib.adapters.models import DocumentItem, SmsQuotaItem, use_table
from chalicelib.domain.alerts import SMS_PER_WINDOW, SMS_WINDOW, AgentProfile, QuietHours
from chalicelib.domain.tickets import Language
from chalicelib.services.ports import AgentProfiles, SmsQuota

PROFILE = "PROFILE"


def profile_document(profile: AgentProfile) -> dict:
    quiet = profile.quiet_hours
    return {"language": profile.language.value, "phone": profile.phone, "on_call": sorted(profile.on_call),
            "sms_opt_out": profile.sms_opt_out,
            "quiet_hours": {"start": quiet.start.strftime("%H:%M"), "end": quiet.end.strftime("%H:%M"),
                            "zone": quiet.zone} if quiet else None}


def profile_from_document(agent: str, doc: dict) -> AgentProfile:
    quiet = doc.get("quiet_hours")
    return AgentProfile(agent=agent, language=Language(doc["language"]), phone=doc.get("phone"),
                        on_call=frozenset(doc.get("on_call", ())), sms_opt_out=bool(doc.get("sms_opt_out")),
                        quiet_hours=QuietHours(start=time.fromisoformat(quiet["start"]),
                                               end=time.fromisoformat(quiet["end"]), zone=quiet["zone"])
                        if quiet else None)


class DynamoAgentProfiles(AgentProfiles):
    def __init__(self, table_name: str):
        use_table(table_name)

    def get(self, agent: str) -> AgentProfile | None:
        try:
            return profile_from_document(agent, DocumentItem.get(f"AGENT#{agent}", PROFILE).doc)
        except DocumentItem.DoesNotExist:
            return None

    def save(self, profile: AgentProfile) -> None:
        DocumentItem(pk=f"AGENT#{profile.agent}", sk=PROFILE, doc=profile_document(profile)).save()


class DynamoSmsQuota(SmsQuota):
    def __init__(self, table_name: str):
        use_table(table_name)

    def take(self, recipient: str, at: datetime) -> bool:
        window = int(at.timestamp() // SMS_WINDOW.total_seconds())
        expires = int((window + 2) * SMS_WINDOW.total_seconds())  # kept one window longer than needed
        item = SmsQuotaItem(f"SMSQUOTA#{recipient}", str(window))
        try:
            item.update(actions=[SmsQuotaItem.sent.add(1), SmsQuotaItem.expires_at.set(expires)],
                        condition=SmsQuotaItem.sent.does_not_exist() | (SmsQuotaItem.sent < SMS_PER_WINDOW))
        except UpdateError as exc:
            if exc.cause_response_code == "ConditionalCheckFailedException":
                return False
            raise
        return True
