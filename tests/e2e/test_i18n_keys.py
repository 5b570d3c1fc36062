"""Every UI string exists in all three languages, and every string the sites ask for exists.

A static check (no browser): a key missing in fa or he would silently show English to a Persian or Hebrew user."""
import re
from pathlib import Path

WEB = Path(__file__).resolve().parents[2] / "web"
KEY = re.compile(r"^\s*'([a-z_.]+)':", re.M)


def keys(lang: str) -> set[str]:
    return set(KEY.findall((WEB / "shared" / "i18n" / f"{lang}.js").read_text(encoding="utf-8")))


def test_all_languages_have_the_same_keys():
    en = keys("en")
    assert en, "no keys found in en.js"
    for lang in ("fa", "he"):
        assert keys(lang) == en, f"{lang}: missing {sorted(en - keys(lang))}, extra {sorted(keys(lang) - en)}"


def test_every_literal_key_used_by_the_sites_is_defined():
    en = keys("en")
    used = set()
    for path in WEB.glob("*/*.js"):
        used |= set(re.findall(r"\bt\('([a-z_]+\.[a-z_.]+)'", path.read_text(encoding="utf-8")))
    assert used and used <= en, f"undefined: {sorted(used - en)}"


def test_every_field_code_of_the_api_is_translated():
    codes = "required too_long invalid not_allowed too_large too_many not_uploaded type_mismatch unknown".split()
    codes += "wrong expired not_mobile open_limit reply_window_closed".split()  # customer sign-in, limits, replies
    codes += ["unconfirmed_limit"]  # requests without sign-in waiting for confirmation
    codes += "stale not_member duplicate not_before_close".split()  # agent portal: workflow, organisation
    codes += "unknown_placeholder unknown_language".split()  # canned answers (issue 15)
    codes += "first_response_after_resolution no_working_time".split()  # the SLA policy
    codes += ["required_for_sms"]  # texts on agent replies without a mobile number
    codes += "not_ready empty".split()  # uploads checked when they arrive (services/uploads.py)
    assert {f"field.{c}" for c in codes} <= keys("en")
