"""Mobile numbers, stored and compared in E.164 (+989121234567). Customers type them the local way
(0912 123 4567, 054-123-4567, with Persian or Arabic digits); the UI language tells us which country's
local format to expect when the number has no +country prefix."""
from __future__ import annotations

from chalicelib.errors import Invalid

# A number written without +country is read in the country whose language the customer uses.
DEFAULT_REGION = {"fa": "IR", "he": "IL"}
_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")


def parse_phone(text: str, path: str = "phone", *, language: str = "en") -> str:
    import phonenumbers  # its metadata is large: only paths that see a phone number load it

    raw = text.strip().translate(_DIGITS)
    if raw.startswith("00"):
        raw = "+" + raw[2:]
    try:
        number = phonenumbers.parse(raw, None if raw.startswith("+") else DEFAULT_REGION.get(language, "IR"))
    except phonenumbers.NumberParseException:
        raise Invalid.field(path, "invalid") from None
    if not phonenumbers.is_valid_number(number):
        raise Invalid.field(path, "invalid")
    if phonenumbers.number_type(number) not in (phonenumbers.PhoneNumberType.MOBILE,
                                                phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE):
        raise Invalid.field(path, "not_mobile")  # codes and alerts go by SMS
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def time_zone(e164: str) -> str:
    """The IANA zone a mobile number most likely rings in, for people whose hours we do not know (customers):
    the first zone phonenumbers gives for it (a country with several zones gets its first), "UTC" when it
    knows none."""
    import phonenumbers
    from phonenumbers import timezone

    try:
        number = phonenumbers.parse(e164)
    except phonenumbers.NumberParseException:
        return "UTC"
    zones = [z for z in timezone.time_zones_for_number(number) if z != timezone.UNKNOWN_TIMEZONE]
    return zones[0] if zones else "UTC"
