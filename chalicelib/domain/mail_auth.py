"""What the receiving service (SES) says about a mail, and whether that proves who sent it. Pure Python.

SES receipt prepends its verdicts to the mail it stores, above every header the sender wrote:

    Return-Path: <envelope sender>
    Received: from ... by inbound-smtp.<region>.amazonaws.com ...
    X-SES-Spam-Verdict: PASS | FAIL | GRAY | PROCESSING_FAILED
    X-SES-Virus-Verdict: PASS | FAIL | GRAY | PROCESSING_FAILED
    Received-SPF: pass (...) client-ip=...; envelope-from=...; helo=...;
    Authentication-Results: amazonses.com;
     spf=pass (...) client-ip=...; envelope-from=...; helo=...; dkim=pass header.i=@d; dmarc=pass header.from=d;
    X-SES-RECEIPT: ...
    X-SES-DKIM-SIGNATURE: ...

Only that leading block is evidence. It is read from the top down and ends at the first header SES does not
write, or at a second Received (the sender's own relays); in it only the first of each verdict counts, and only
an Authentication-Results whose authserv-id is amazonses.com. Anyone can write any of these headers in the mail
they send: those all sit below SES's block and are ignored. A mail without SES's Authentication-Results proves
nothing (fail closed). The receipt rule must scan (infra/resources.yaml `ScanEnabled: true`) so that the spam and
virus verdicts are always SES's own.

The rule (`Verdicts.authenticates`): the From domain is proven when
  - DMARC passes for exactly that domain (header.from), or
  - the domain publishes no DMARC record (dmarc=none) and SPF passes for an envelope sender, or DKIM passes for
    a signing domain, aligned with the From domain (the same domain, or one a subdomain of the other).
DMARC fail, temperror, permerror, or no DMARC verdict at all prove nothing, whatever SPF and DKIM say (a domain
that publishes DMARC has said which of them count). Without a public-suffix list, alignment is stricter than
DMARC's relaxed mode (two sibling subdomains do not align): that errs on the side of "unverified".
"""
from __future__ import annotations

import re
from dataclasses import dataclass

SES_AUTHSERV_ID = "amazonses.com"
PASS, FAIL = "PASS", "FAIL"

# Headers SES writes above the stored mail; the block of evidence is the leading run of these.
_SES_HEADERS = {"return-path", "received", "x-ses-spam-verdict", "x-ses-virus-verdict", "received-spf",
                "authentication-results", "x-ses-receipt", "x-ses-dkim-signature"}
_METHODS = "spf|dkim|dmarc|arc|iprev|auth|bimi|dkim-atps|domainkeys|sender-id|smime"  # RFC 8601 registry
_RESULT = re.compile(rf"^\s*({_METHODS})\s*=\s*([a-z]+)\b(.*)$", re.I | re.S)
_COMMENT = re.compile(r"\([^()]*\)")
_PROPERTY = re.compile(r"\b(header\.from|header\.d|header\.i|smtp\.mailfrom|envelope-from)\s*=\s*([^\s;()]+)", re.I)


@dataclass(frozen=True)
class Verdicts:
    """SES's verdicts on one mail; "" where SES said nothing (then nothing is proven)."""
    spf: str = ""
    spf_domain: str = ""                            # the envelope sender's domain SPF was checked for
    dkim: tuple[tuple[str, str], ...] = ()          # (result, signing domain) per signature
    dmarc: str = ""                                 # pass, fail, none (no record), temperror, permerror
    dmarc_domain: str = ""                          # header.from: the From domain DMARC was evaluated for
    spam: str = ""                                  # X-SES-Spam-Verdict, upper case
    virus: str = ""                                 # X-SES-Virus-Verdict, upper case

    def authenticates(self, from_address: str) -> bool:
        """Whether these verdicts prove that the mail comes from the domain of `from_address`."""
        domain = _domain(from_address)
        if not domain:
            return False
        if self.dmarc == "pass":
            return self.dmarc_domain == domain
        if self.dmarc != "none" or self.dmarc_domain not in ("", domain):
            return False
        spf = self.spf == "pass" and _aligned(self.spf_domain, domain)
        return spf or any(result == "pass" and _aligned(signer, domain) for result, signer in self.dkim)

    @property
    def infected(self) -> bool:
        return self.virus == FAIL

    @property
    def spam_suspect(self) -> bool:
        return self.spam == FAIL


def read_verdicts(headers: list[tuple[str, str]]) -> Verdicts:
    """The verdicts in SES's block at the top of a stored mail's headers (name, value) in their order."""
    found: dict[str, str] = {}
    auth_results = ""
    received = 0
    for name, value in headers:
        name = name.strip().lower()
        if name not in _SES_HEADERS:
            break
        if name == "received":
            received += 1
            if received > 1:  # the relays the mail passed before SES: the sender's, not evidence
                break
            continue
        value = " ".join(str(value).split())
        if name == "authentication-results":
            if not auth_results and _authserv_id(value) == SES_AUTHSERV_ID:
                auth_results = value
            continue
        found.setdefault(name, value)
    verdicts = _auth_results(auth_results)
    return Verdicts(**{**verdicts, "spam": _status(found.get("x-ses-spam-verdict", "")),
                       "virus": _status(found.get("x-ses-virus-verdict", ""))})


def _authserv_id(value: str) -> str:
    return value.split(";", 1)[0].strip().split()[0].lower() if value.strip() else ""


def _auth_results(value: str) -> dict:
    """Results per method. SES separates a result's own properties with ";" too (`spf=pass (...)
    client-ip=...; envelope-from=...; helo=...;`), so a segment without a method belongs to the one before."""
    if not value:
        return {}
    results: list[tuple[str, str, dict[str, str]]] = []
    for segment in value.split(";")[1:]:
        if found := _RESULT.match(segment):
            results.append((found[1].lower(), found[2].lower(), {}))
            segment = found[3]
        if results:
            results[-1][2].update({k.lower(): v for k, v in _PROPERTY.findall(_COMMENT.sub(" ", segment))})
    parsed: dict = {"dkim": []}
    for method, outcome, properties in results:
        if method == "spf" and "spf" not in parsed:
            parsed["spf"] = outcome
            parsed["spf_domain"] = _domain(properties.get("smtp.mailfrom") or properties.get("envelope-from", ""))
        elif method == "dkim":
            parsed["dkim"].append((outcome, _domain(properties.get("header.d") or properties.get("header.i", ""))))
        elif method == "dmarc" and "dmarc" not in parsed:
            parsed["dmarc"] = outcome
            parsed["dmarc_domain"] = properties.get("header.from", "").strip(".").lower()
    parsed["dkim"] = tuple(parsed["dkim"])
    return parsed


def _status(value: str) -> str:
    return value.strip().split()[0].upper() if value.strip() else ""


def _domain(address: str) -> str:
    return address.strip().strip("<>").rpartition("@")[2].strip(".").lower()


def _aligned(domain: str, from_domain: str) -> bool:
    return bool(domain) and (domain == from_domain or domain.endswith("." + from_domain)
                             or from_domain.endswith("." + domain))
