#!/usr/bin/env python3
"""Stripe-shaped test server for Grapevine's end-to-end tests.

THIS IS A TEST DOUBLE SHAPED LIKE STRIPE'S DOCUMENTED API, NOT STRIPE AND NOT
LOCALSTRIPE. It was written from Stripe's public API reference
(https://docs.stripe.com/api) and covers only what localstripe lacks and our
tests need:

* Connect accounts (POST /v1/accounts, GET /v1/accounts/{id}),
* account links (POST /v1/account_links) with a fake onboarding page,
* transfers (POST /v1/transfers, GET /v1/transfers/{id}, GET /v1/transfers),
* idempotency keys on every POST (https://docs.stripe.com/api/idempotent_requests).

It also serves a generic gift-card provider API under /giftcards/v1. That API
is OUR OWN DESIGN, not any vendor's: a stand-in for "some provider that issues
gift cards", so the tests can exercise retries, duplicates and lookups.

Test controls live under /_test (no auth): fault injection, forgetting
idempotency keys, statistics, altering a stored transfer, and reset.

Usage:
    python3 tests/stripe_shaped/server.py --port PORT [--verbose]

Binds 127.0.0.1:PORT, prints ``ready`` on stdout once listening, and exits
with status 0 on SIGTERM or SIGINT. Nothing is logged per request unless
--verbose is given. Standard library only (Python 3.11).

Objects carry every field of Stripe's documented object (null where it does
not apply), checked against the structs of async-stripe 1.0.0-rc.10, which
deserialises strictly.
"""

from __future__ import annotations

import argparse
import base64
import copy
import json
import re
import secrets
import signal
import string
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable
from urllib.parse import parse_qsl, urlsplit

# Paths whose POSTs are counted in /_test/stats and can be made to fail.
ACCOUNTS_PATH = "/v1/accounts"
ACCOUNT_LINKS_PATH = "/v1/account_links"
TRANSFERS_PATH = "/v1/transfers"
CARDS_PATH = "/giftcards/v1/cards"
CREATE_PATHS = (ACCOUNTS_PATH, ACCOUNT_LINKS_PATH, TRANSFERS_PATH, CARDS_PATH)

# Stripe documents that idempotency keys are at most 255 characters long.
MAX_IDEMPOTENCY_KEY_LEN = 255
# Stripe's account links expire a few minutes after creation.
ACCOUNT_LINK_TTL_SECONDS = 300

ALNUM = string.ascii_letters + string.digits
UPPER_ALNUM = string.ascii_uppercase + string.digits


# --------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------


def now() -> int:
    """Unix time in whole seconds, as Stripe's `created` fields are."""
    return int(time.time())


def random_id(prefix: str, length: int = 24) -> str:
    """An id like Stripe's: a type prefix and random alphanumerics."""
    return prefix + "".join(secrets.choice(ALNUM) for _ in range(length))


def gift_card_code() -> str:
    """16 random uppercase alphanumerics."""
    return "".join(secrets.choice(UPPER_ALNUM) for _ in range(16))


# --------------------------------------------------------------------------
# Requests, responses and errors
# --------------------------------------------------------------------------


@dataclass
class Request:
    """One HTTP request, already read off the socket."""

    method: str
    path: str
    query: list[tuple[str, str]]
    headers: dict[str, str]  # lower-cased names
    body: bytes
    base_url: str  # http://host:port, for URLs that point back at us

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


@dataclass
class Response:
    """What we send back. `payload` is JSON-encoded unless it is a str (HTML)."""

    status: int
    payload: Any
    headers: dict[str, str] = field(default_factory=dict)

    def encode(self) -> tuple[bytes, str]:
        if isinstance(self.payload, str):
            return self.payload.encode("utf-8"), "text/html; charset=utf-8"
        return json.dumps(self.payload, indent=2).encode("utf-8"), "application/json"


class HttpError(Exception):
    """Raised anywhere in a handler to answer with an error response."""

    def __init__(self, response: Response):
        super().__init__(response.status)
        self.response = response


def stripe_error(
    status: int,
    type_: str,
    message: str,
    code: str | None = None,
    param: str | None = None,
) -> Response:
    """An error in Stripe's documented shape (Stripe API: Errors)."""
    error: dict[str, Any] = {"type": type_, "code": code, "message": message, "param": param}
    if code:
        error["doc_url"] = "https://stripe.com/docs/error-codes/" + code.replace("_", "-")
    return Response(status, {"error": error})


def invalid_request(
    message: str, code: str | None = None, param: str | None = None, status: int = 400
) -> HttpError:
    return HttpError(stripe_error(status, "invalid_request_error", message, code, param))


def no_such(kind: str, ident: str, param: str | None, status: int = 404) -> HttpError:
    """Stripe's `resource_missing` error."""
    return invalid_request(f"No such {kind}: '{ident}'", "resource_missing", param, status)


def card_api_error(status: int, code: str, message: str, **extra: Any) -> Response:
    """An error of the gift-card API (our design): {"error": {"code", "message", ...}}."""
    return Response(status, {"error": {"code": code, "message": message, **extra}})


def card_http_error(status: int, code: str, message: str, **extra: Any) -> HttpError:
    return HttpError(card_api_error(status, code, message, **extra))


def test_control_error(message: str, status: int = 400) -> HttpError:
    return HttpError(Response(status, {"error": {"code": "bad_request", "message": message}}))


# --------------------------------------------------------------------------
# Stripe's form encoding: bracket notation into nested dicts and lists
# --------------------------------------------------------------------------

_SEGMENT = re.compile(r"\[([^\[\]]*)\]")


def split_key(key: str) -> list[str]:
    """`a[b][c]` -> ["a", "b", "c"]; `a[]` -> ["a", ""]; anything odd stays whole."""
    start = key.find("[")
    if start <= 0:
        return [key]
    rest = key[start:]
    segments = _SEGMENT.findall(rest)
    if "".join(f"[{s}]" for s in segments) != rest:
        return [key]
    return [key[:start], *segments]


def _insert(node: dict, path: list[str], value: str, full_key: str) -> None:
    head, rest = path[0], path[1:]
    if head == "":  # `a[]=x`: append, numbered like `a[N]`
        head = str(len(node))
    if not rest:
        if head in node:
            if isinstance(node[head], dict):
                raise invalid_request(f"Invalid hash: {full_key}", None, full_key)
            node[head] = value  # a repeated plain key: the last one wins
            return
        node[head] = value
        return
    child = node.setdefault(head, {})
    if not isinstance(child, dict):
        raise invalid_request(f"Invalid hash: {full_key}", None, full_key)
    _insert(child, rest, value, full_key)


def _listify(node: Any) -> Any:
    """Dicts keyed 0..n (from `a[0]`, `a[]`) become lists."""
    if not isinstance(node, dict):
        return node
    items = {k: _listify(v) for k, v in node.items()}
    if items and all(k.isdigit() for k in items):
        return [items[k] for k in sorted(items, key=int)]
    return items


def parse_form(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """Parse Stripe's bracket notation, e.g. `metadata[payout_id]=7` and
    `capabilities[transfers][requested]=true`, into nested dicts/lists."""
    root: dict[str, Any] = {}
    for key, value in pairs:
        _insert(root, split_key(key), value, key)
    return _listify(root)


def form_params(req: Request) -> dict[str, Any]:
    """Query-string and (for POST) form-body parameters, bracket-parsed."""
    pairs = list(req.query)
    if req.body:
        content_type = (req.header("Content-Type") or "").split(";")[0].strip()
        if content_type not in ("", "application/x-www-form-urlencoded"):
            raise invalid_request(
                "Invalid request: the body must be application/x-www-form-urlencoded."
            )
        pairs += parse_qsl(req.body.decode("utf-8", "replace"), keep_blank_values=True)
    return parse_form(pairs)


def json_body(req: Request, on_error: Callable[[str], HttpError]) -> dict[str, Any]:
    """A JSON object body (gift-card API and test controls)."""
    if not req.body.strip():
        return {}
    try:
        body = json.loads(req.body)
    except ValueError as err:
        raise on_error(f"Body is not valid JSON: {err}") from None
    if not isinstance(body, dict):
        raise on_error("Body must be a JSON object.")
    return body


# --------------------------------------------------------------------------
# Stripe parameter validation
# --------------------------------------------------------------------------


def reject_unknown(params: dict[str, Any], allowed: set[str]) -> None:
    """Stripe answers unknown parameters with `parameter_unknown`."""
    for name in params:
        if name not in allowed:
            raise invalid_request(f"Received unknown parameter: {name}", "parameter_unknown", name)


def string_param(params: dict[str, Any], name: str, required: bool = False) -> str | None:
    """A string parameter; Stripe treats an empty string as unset."""
    value = params.get(name)
    if value is None or value == "":
        if required:
            raise invalid_request(f"Missing required param: {name}.", "parameter_missing", name)
        return None
    if not isinstance(value, str):
        raise invalid_request(f"Invalid string: {value!r}", None, name)
    return value


def int_param(value: Any, name: str) -> int:
    if not isinstance(value, str) or not re.fullmatch(r"-?\d+", value):
        raise invalid_request(f"Invalid integer: {value}", "parameter_invalid_integer", name)
    return int(value)


def bool_param(value: Any, name: str) -> bool:
    if value in ("true", True):
        return True
    if value in ("false", False):
        return False
    raise invalid_request(f"Invalid boolean: {value}", None, name)


def metadata_param(params: dict[str, Any]) -> dict[str, str]:
    """`metadata[k]=v` pairs; `metadata=` (empty) or empty values mean none."""
    value = params.get("metadata")
    if value in (None, ""):
        return {}
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise invalid_request("Invalid metadata: must be a hash of strings.", None, "metadata")
    return {k: v for k, v in value.items() if v != ""}


def currency_param(params: dict[str, Any]) -> str:
    """A three-letter ISO code; Stripe returns it lowercase."""
    value = string_param(params, "currency", required=True)
    if not re.fullmatch(r"[A-Za-z]{3}", value):
        raise invalid_request(f"Invalid currency: {value}.", None, "currency")
    return value.lower()


def url_param(params: dict[str, Any], name: str) -> str | None:
    value = string_param(params, name)
    if value is not None and not re.match(r"https?://", value):
        raise invalid_request(f"Not a valid URL: {value}", "url_invalid", name)
    return value


# --------------------------------------------------------------------------
# Stripe object builders
# --------------------------------------------------------------------------

EURO_COUNTRIES = {
    "AT", "BE", "CY", "DE", "EE", "ES", "FI", "FR", "GR", "HR", "IE", "IT",
    "LT", "LU", "LV", "MT", "NL", "PT", "SI", "SK",
}
COUNTRY_CURRENCY = {
    "US": "usd", "GB": "gbp", "CA": "cad", "AU": "aud", "NZ": "nzd", "JP": "jpy",
    "CH": "chf", "SE": "sek", "NO": "nok", "DK": "dkk", "PL": "pln", "SG": "sgd",
    "HK": "hkd", "MX": "mxn", "BR": "brl", "IN": "inr",
}

# `controller` as Stripe reports it for each account type a platform creates.
CONTROLLER_BY_TYPE = {
    "express": ("application_express", "application", "stripe", "express"),
    "custom": ("application_custom", "application", "application", "none"),
    "standard": ("account", "stripe", "stripe", "full"),
    "none": ("application", "application", "stripe", "express"),
}

# What a fresh account still has to provide; cleared by onboarding.
FRESH_REQUIREMENTS = ["business_type", "external_account", "tos_acceptance.date", "tos_acceptance.ip"]

BUSINESS_PROFILE_FIELDS = (
    "annual_revenue", "estimated_worker_count", "mcc", "monthly_estimated_revenue", "name",
    "product_description", "specified_commercial_transactions_act_url", "support_address",
    "support_email", "support_phone", "support_url", "url",
)
BUSINESS_PROFILE_STRING_FIELDS = (
    "mcc", "name", "product_description", "specified_commercial_transactions_act_url",
    "support_email", "support_phone", "support_url", "url",
)
BUSINESS_TYPES = {"company", "government_entity", "individual", "non_profit"}


def default_currency_for(country: str) -> str:
    if country in EURO_COUNTRIES:
        return "eur"
    return COUNTRY_CURRENCY.get(country, "usd")


def controller_object(type_: str, given: dict[str, Any]) -> dict[str, Any]:
    """Stripe API: The Account object, `controller`."""
    payer, losses, collection, dashboard = CONTROLLER_BY_TYPE[type_]
    fees = given.get("fees") if isinstance(given.get("fees"), dict) else {}
    loss = given.get("losses") if isinstance(given.get("losses"), dict) else {}
    dash = given.get("stripe_dashboard") if isinstance(given.get("stripe_dashboard"), dict) else {}
    return {
        "fees": {"payer": fees.get("payer", payer)},
        "is_controller": True,
        "losses": {"payments": loss.get("payments", losses)},
        "requirement_collection": given.get("requirement_collection", collection),
        "stripe_dashboard": {"type": dash.get("type", dashboard)},
        "type": "application",
    }


def requirements_object(due: list[str]) -> dict[str, Any]:
    """Stripe API: The Account object, `requirements` / `future_requirements`."""
    return {
        "alternatives": [],
        "current_deadline": None,
        "currently_due": list(due),
        "disabled_reason": "requirements.past_due" if due else None,
        "errors": [],
        "eventually_due": list(due),
        "past_due": list(due),
        "pending_verification": [],
    }


def settings_object(country: str, name: str | None) -> dict[str, Any]:
    """Stripe API: The Account object, `settings` (the parts Stripe always
    returns; the rest is null)."""
    return {
        "bacs_debit_payments": {"display_name": None, "service_user_number": None},
        "branding": {"icon": None, "logo": None, "primary_color": None, "secondary_color": None},
        "card_issuing": None,
        "card_payments": {
            "decline_on": {"avs_failure": False, "cvc_failure": False},
            "statement_descriptor_prefix": None,
            "statement_descriptor_prefix_kana": None,
            "statement_descriptor_prefix_kanji": None,
        },
        "dashboard": {"display_name": name, "timezone": "Etc/UTC"},
        "invoices": {"default_account_tax_ids": None, "hosted_payment_method_save": None},
        "payments": {
            "statement_descriptor": None,
            "statement_descriptor_kana": None,
            "statement_descriptor_kanji": None,
            "statement_descriptor_prefix_kana": None,
            "statement_descriptor_prefix_kanji": None,
        },
        "payouts": {
            "debit_negative_balances": True,
            "schedule": {
                "delay_days": 2,
                "interval": "daily",
                "monthly_anchor": None,
                "monthly_payout_days": None,
                "weekly_anchor": None,
                "weekly_payout_days": None,
            },
            "statement_descriptor": None,
        },
        "paypay_payments": None,
        "sepa_debit_payments": {"creditor_id": None} if country in EURO_COUNTRIES else None,
        "treasury": None,
    }


def requested_capabilities(params: dict[str, Any]) -> dict[str, str]:
    """`capabilities[NAME][requested]=true` -> {NAME: "inactive"} until onboarded."""
    given = params.get("capabilities") or {}
    if not isinstance(given, dict):
        raise invalid_request("Invalid capabilities: must be a hash.", None, "capabilities")
    out = {}
    for name, spec in given.items():
        if not isinstance(spec, dict) or "requested" not in spec:
            raise invalid_request(
                f"Missing required param: capabilities[{name}][requested].",
                "parameter_missing",
                f"capabilities[{name}][requested]",
            )
        if bool_param(spec["requested"], f"capabilities[{name}][requested]"):
            out[name] = "inactive"
    return out


def business_profile_object(params: dict[str, Any]) -> dict[str, Any]:
    """Stripe API: The Account object, `business_profile`. Plain string fields
    and estimated_worker_count are taken from the params; the rest stays null."""
    given = params.get("business_profile")
    given = given if isinstance(given, dict) else {}
    profile: dict[str, Any] = {name: None for name in BUSINESS_PROFILE_FIELDS}
    for name in BUSINESS_PROFILE_STRING_FIELDS:
        if isinstance(given.get(name), str) and given[name] != "":
            profile[name] = given[name]
    if given.get("estimated_worker_count") not in (None, ""):
        profile["estimated_worker_count"] = int_param(
            given["estimated_worker_count"], "business_profile[estimated_worker_count]"
        )
    return profile


def account_object(params: dict[str, Any]) -> dict[str, Any]:
    """Build a new Account (Stripe API: The Account object) from create params."""
    type_ = string_param(params, "type")
    controller = params.get("controller") if isinstance(params.get("controller"), dict) else None
    if type_ is None:
        if controller is None:
            raise invalid_request("Missing required param: type.", "parameter_missing", "type")
        type_ = "none"
    elif type_ not in ("express", "custom", "standard"):
        raise invalid_request("Invalid type: must be one of express, custom, standard.", None, "type")

    country = (string_param(params, "country") or "US").upper()
    if not re.fullmatch(r"[A-Z]{2}", country):
        raise invalid_request(f"Invalid country: {country}", None, "country")
    email = string_param(params, "email")
    if email is not None and "@" not in email:
        raise invalid_request(f"Invalid email address: {email}", "email_invalid", "email")
    business_type = string_param(params, "business_type")
    if business_type is not None and business_type not in BUSINESS_TYPES:
        raise invalid_request(f"Invalid business_type: {business_type}", None, "business_type")
    default_currency = (string_param(params, "default_currency") or default_currency_for(country)).lower()

    business_profile = business_profile_object(params)

    tos_given = params.get("tos_acceptance") if isinstance(params.get("tos_acceptance"), dict) else {}
    tos = {"date": None, "ip": None, "service_agreement": None, "user_agent": None}
    tos.update({k: v for k, v in tos_given.items() if k in tos and isinstance(v, str) and v != ""})
    if tos["date"] is not None:
        tos["date"] = int_param(tos["date"], "tos_acceptance[date]")

    account_id = random_id("acct_", 16)
    return {
        "id": account_id,
        "object": "account",
        "business_profile": business_profile,
        "business_type": business_type,
        "capabilities": requested_capabilities(params),
        "charges_enabled": False,
        "company": None,
        "controller": controller_object(type_, controller or {}),
        "country": country,
        "created": now(),
        "default_currency": default_currency,
        "details_submitted": False,
        "email": email,
        "external_accounts": {
            "object": "list",
            "data": [],
            "has_more": False,
            "total_count": 0,
            "url": f"/v1/accounts/{account_id}/external_accounts",
        },
        "future_requirements": requirements_object([]),
        "groups": None,
        "individual": None,
        "metadata": metadata_param(params),
        "payouts_enabled": False,
        "requirements": requirements_object(FRESH_REQUIREMENTS),
        "settings": settings_object(country, business_profile.get("name")),
        "tos_acceptance": tos,
        "type": type_,
    }


def mark_onboarded(account: dict[str, Any]) -> None:
    """What completing Connect Onboarding does to an account."""
    account["details_submitted"] = True
    account["charges_enabled"] = True
    account["payouts_enabled"] = True
    account["capabilities"] = {name: "active" for name in account["capabilities"]}
    account["requirements"] = requirements_object([])
    account["future_requirements"] = requirements_object([])
    if account["tos_acceptance"]["date"] is None:
        account["tos_acceptance"]["date"] = now()


def transfer_object(params: dict[str, Any], destination: str) -> dict[str, Any]:
    """Build a new Transfer (Stripe API: The Transfer object)."""
    amount = int_param(params.get("amount"), "amount")
    if amount < 1:
        raise invalid_request(
            "This value must be greater than or equal to 1.", "parameter_invalid_integer", "amount"
        )
    transfer_id = random_id("tr_")
    return {
        "id": transfer_id,
        "object": "transfer",
        "amount": amount,
        "amount_reversed": 0,
        "balance_transaction": random_id("txn_"),
        "created": now(),
        "currency": currency_param(params),
        "description": string_param(params, "description"),
        "destination": destination,
        "destination_payment": random_id("py_"),
        "livemode": False,
        "metadata": metadata_param(params),
        "reversals": {
            "object": "list",
            "data": [],
            "has_more": False,
            "total_count": 0,
            "url": f"/v1/transfers/{transfer_id}/reversals",
        },
        "reversed": False,
        "source_transaction": string_param(params, "source_transaction"),
        "source_type": string_param(params, "source_type") or "card",
        "transfer_group": string_param(params, "transfer_group"),
    }


# --------------------------------------------------------------------------
# State
# --------------------------------------------------------------------------


@dataclass
class Failure:
    """A fault injected with POST /_test/fail."""

    times: int  # remaining; -1 = until cleared
    status: int
    type: str
    code: str | None
    message: str
    after_create: bool  # create the object, then answer with the error ("lost response")
    save_for_replay: bool  # save the error under the idempotency key even if 5xx
    should_retry: bool | None  # value of a Stripe-Should-Retry header, if any

    def response(self, api: str) -> Response:
        if api == "giftcards":
            resp = card_api_error(self.status, self.code or "internal_error", self.message)
        else:
            resp = stripe_error(self.status, self.type, self.message, self.code)
        if self.should_retry is not None:
            resp.headers["Stripe-Should-Retry"] = "true" if self.should_retry else "false"
        return resp


@dataclass
class SavedResponse:
    """A response saved under an idempotency key."""

    path: str
    params: Any
    response: Response
    request_id: str


class State:
    """Everything the server remembers. Guarded by `lock`."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        self.accounts: dict[str, dict] = {}
        self.account_links: list[dict] = []
        self.onboarding_return: dict[str, str] = {}  # account id -> latest return_url
        self.transfers: dict[str, dict] = {}  # insertion order = creation order
        self.transfer_seq: dict[str, int] = {}
        self.cards: dict[str, dict] = {}
        self.idempotency: dict[tuple[str, str, str], SavedResponse] = {}
        self.failures: dict[str, Failure] = {}
        self.creates = {path: 0 for path in CREATE_PATHS}
        self.created = {path: 0 for path in CREATE_PATHS}
        self.by_idempotency_key: dict[str, int] = {}
        # Whether a second card with a used reference is refused (409). A test turns this off
        # to play a provider that does not deduplicate, so duplicates show up as cards.
        self.unique_card_references = True
        # Milliseconds a successful create waits, outside the lock, before its response goes
        # out: the object exists, the client does not know yet. A test kills the client then.
        self.create_response_delay_ms = 0

    def take_failure(self, path: str) -> Failure | None:
        """The injected failure for this POST, if any, counting it down."""
        failure = self.failures.get(path)
        if failure is None:
            return None
        if failure.times > 0:
            failure.times -= 1
            if failure.times == 0:
                del self.failures[path]
        return failure

    def add_transfer(self, transfer: dict) -> None:
        self.transfer_seq[transfer["id"]] = len(self.transfer_seq)
        self.transfers[transfer["id"]] = transfer
        self.created[TRANSFERS_PATH] += 1


# --------------------------------------------------------------------------
# Authentication
# --------------------------------------------------------------------------


def stripe_api_key(req: Request) -> str:
    """Stripe API: Authentication. `Authorization: Bearer sk_test_...`, or
    HTTP Basic with the key as the user name."""
    auth = req.header("Authorization") or ""
    key = ""
    if auth.startswith("Bearer "):
        key = auth[len("Bearer "):].strip()
    elif auth.startswith("Basic "):
        try:
            decoded = base64.b64decode(auth[len("Basic "):].strip(), validate=True).decode()
            key = decoded.split(":", 1)[0]
        except (ValueError, UnicodeDecodeError):
            key = ""
    if not key:
        raise HttpError(stripe_error(
            401,
            "invalid_request_error",
            "You did not provide an API key. You need to provide your API key in the "
            "Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').",
        ))
    if not key.startswith("sk_test_"):
        masked = key[:8] + "*" * max(len(key) - 12, 0) + key[-4:]
        raise HttpError(stripe_error(401, "invalid_request_error", f"Invalid API Key provided: {masked}"))
    return key


def gift_card_token(req: Request) -> str:
    """Gift-card API (our design): `Authorization: Bearer <any non-empty token>`."""
    auth = req.header("Authorization") or ""
    token = auth[len("Bearer "):].strip() if auth.startswith("Bearer ") else ""
    if not token:
        raise card_http_error(401, "unauthorized", "Send 'Authorization: Bearer <token>'.")
    return token


# --------------------------------------------------------------------------
# The application: endpoints and routing
# --------------------------------------------------------------------------


class App:
    """Routes requests to endpoint methods. Every endpoint runs under the
    state lock, so requests are processed one at a time."""

    def __init__(self) -> None:
        self.state = State()
        s = self
        # (method, path regex, handler, api) where api picks auth + error shape.
        self.routes: list[tuple[str, re.Pattern, Callable, str]] = [
            ("POST", r"/v1/accounts", s.create_account, "stripe"),
            ("GET", r"/v1/accounts/(?P<id>[^/]+)", s.retrieve_account, "stripe"),
            ("POST", r"/v1/account_links", s.create_account_link, "stripe"),
            ("POST", r"/v1/transfers", s.create_transfer, "stripe"),
            ("GET", r"/v1/transfers", s.list_transfers, "stripe"),
            ("GET", r"/v1/transfers/(?P<id>[^/]+)", s.retrieve_transfer, "stripe"),
            ("GET", r"/connect/onboard/(?P<id>[^/]+)", s.onboarding_page, "page"),
            ("POST", r"/giftcards/v1/cards", s.create_card, "giftcards"),
            ("GET", r"/giftcards/v1/cards", s.list_cards, "giftcards"),
            ("GET", r"/giftcards/v1/cards/(?P<id>[^/]+)", s.retrieve_card, "giftcards"),
            ("POST", r"/_test/fail", s.test_fail, "test"),
            ("POST", r"/_test/forget_idempotency", s.test_forget_idempotency, "test"),
            ("GET", r"/_test/stats", s.test_stats, "test"),
            ("POST", r"/_test/transfers/(?P<id>[^/]+)/alter", s.test_alter_transfer, "test"),
            ("POST", r"/_test/reset", s.test_reset, "test"),
            ("POST", r"/_test/config", s.test_config, "test"),
        ]
        self.routes = [(m, re.compile(p), h, a) for m, p, h, a in self.routes]

    # ---- dispatch -------------------------------------------------------

    def handle(self, req: Request) -> Response:
        """Find the endpoint, run it (through the idempotency pipeline for
        API POSTs), and stamp a Request-Id on the response."""
        request_id = random_id("req_", 14)
        try:
            with self.state.lock:
                response = self.dispatch(req, request_id)
                delay_ms = self.state.create_response_delay_ms
        except HttpError as err:
            response = err.response
            delay_ms = 0
        response.headers.setdefault("Request-Id", request_id)
        if delay_ms and req.method == "POST" and req.path in CREATE_PATHS and response.status < 300:
            time.sleep(delay_ms / 1000)
        return response

    def dispatch(self, req: Request, request_id: str) -> Response:
        for method, pattern, handler, api in self.routes:
            match = pattern.fullmatch(req.path)
            if match and method == req.method:
                if method == "POST" and api in ("stripe", "giftcards"):
                    return self.run_create(req, api, handler, request_id)
                if api == "stripe":
                    stripe_api_key(req)
                    return handler(req, form_params(req), **match.groupdict())
                if api == "giftcards":
                    gift_card_token(req)
                return handler(req, **match.groupdict())
        return self.not_found(req)

    def not_found(self, req: Request) -> Response:
        if req.path.startswith("/v1/") or req.path == "/v1":
            stripe_api_key(req)
            return stripe_error(
                404,
                "invalid_request_error",
                f"Unrecognized request URL ({req.method}: {req.path}). Please see https://stripe.com/docs "
                "or we can help at https://support.stripe.com/.",
            )
        if req.path.startswith("/giftcards/"):
            return card_api_error(404, "not_found", f"No route for {req.method} {req.path}.")
        return Response(404, {"error": {"code": "not_found", "message": f"No route for {req.method} {req.path}."}})

    # ---- POST pipeline: counting, auth, faults, idempotency ---------------

    def run_create(self, req: Request, api: str, handler: Callable, request_id: str) -> Response:
        """Every API POST goes through here, following Stripe's documented
        idempotency (Stripe API: Idempotent requests):

        1. count the call (stats `creates`, `by_idempotency_key`);
        2. authenticate (401s are never saved: they run before idempotency);
        3. parse parameters (parse errors are never saved);
        4. injected fault, if one is armed for this path: answered before
           anything is created, and before any replay (the next N POSTs fail);
        5. if the Idempotency-Key was seen: same endpoint and parameters ->
           the saved response with `Idempotent-Replayed: true`; otherwise an
           `idempotency_error`;
        6. run the endpoint; save its response under the key unless it is a
           5xx. (Deviation, by request: Stripe's v1 docs say 5xx results are
           saved too; a fault injected with `save_for_replay` does that.)
        """
        state = self.state
        path = req.path
        key = req.header("Idempotency-Key")
        state.creates[path] = state.creates.get(path, 0) + 1
        if key is not None:
            state.by_idempotency_key[key] = state.by_idempotency_key.get(key, 0) + 1

        if api == "stripe":
            credential = stripe_api_key(req)
            params: Any = form_params(req)
        else:
            credential = gift_card_token(req)
            params = json_body(req, lambda m: card_http_error(400, "invalid_request", m))

        if key is not None:
            self.check_key(api, key)

        failure = state.take_failure(path)
        if failure is not None and not failure.after_create:
            response = failure.response(api)
            if key is not None and (response.status < 500 or failure.save_for_replay):
                self.save(api, credential, key, path, params, response, request_id)
            return self.with_key_header(response, key)

        if key is not None:
            saved = state.idempotency.get((api, credential, key))
            if saved is not None:
                return self.replay(api, key, saved, path, params)

        try:
            response = handler(req, params)
        except HttpError as err:
            response = err.response
        if key is not None and response.status < 500:
            self.save(api, credential, key, path, params, response, request_id)
        if failure is not None:  # after_create: the object exists, the answer is "lost"
            response = failure.response(api)
        return self.with_key_header(response, key)

    @staticmethod
    def check_key(api: str, key: str) -> None:
        if key == "" or len(key) > MAX_IDEMPOTENCY_KEY_LEN:
            message = f"Idempotency-Key must be 1 to {MAX_IDEMPOTENCY_KEY_LEN} characters long."
            if api == "stripe":
                raise invalid_request(message)
            raise card_http_error(400, "invalid_request", message)

    def save(self, api, credential, key, path, params, response, request_id) -> None:
        self.state.idempotency[(api, credential, key)] = SavedResponse(
            path, copy.deepcopy(params), copy.deepcopy(response), request_id
        )

    def replay(self, api: str, key: str, saved: SavedResponse, path: str, params: Any) -> Response:
        """Stripe API: Idempotent requests: same key, same parameters -> the
        saved result; anything else -> an error."""
        if saved.path != path or saved.params != params:
            if saved.path != path:
                message = (f"Keys for idempotent requests can only be used for the same endpoint they "
                           f"were first used for ('{saved.path}'). Try using a key other than '{key}'.")
            else:
                message = (f"Keys for idempotent requests can only be used with the same parameters they "
                           f"were first used with. Try using a key other than '{key}' if you meant to "
                           f"execute a different request.")
            if api == "stripe":
                raise HttpError(stripe_error(400, "idempotency_error", message))
            # Our gift-card API follows the IETF Idempotency-Key draft: 422 on payload mismatch.
            raise card_http_error(422, "idempotency_key_mismatch", message)
        response = copy.deepcopy(saved.response)
        response.headers["Idempotent-Replayed"] = "true"
        response.headers["Original-Request"] = saved.request_id
        return self.with_key_header(response, key)

    @staticmethod
    def with_key_header(response: Response, key: str | None) -> Response:
        if key is not None:
            response.headers["Idempotency-Key"] = key
        return response

    # ---- Stripe: accounts -----------------------------------------------

    ACCOUNT_CREATE_PARAMS = {
        "account_token", "business_profile", "business_type", "capabilities", "company",
        "controller", "country", "default_currency", "documents", "email", "expand",
        "external_account", "groups", "individual", "metadata", "settings",
        "tos_acceptance", "type",
    }

    def create_account(self, req: Request, params: dict) -> Response:
        """Stripe API: Create an account, POST /v1/accounts.
        Params used: type, country, email, metadata[...], capabilities[NAME][requested],
        business_type, business_profile[...], default_currency, tos_acceptance[...],
        controller[...]; the other documented params are accepted and ignored."""
        reject_unknown(params, self.ACCOUNT_CREATE_PARAMS)
        account = account_object(params)
        self.state.accounts[account["id"]] = account
        self.state.created[ACCOUNTS_PATH] += 1
        return Response(200, account)

    def retrieve_account(self, req: Request, params: dict, id: str) -> Response:
        """Stripe API: Retrieve account, GET /v1/accounts/{id}."""
        account = self.state.accounts.get(id)
        if account is None:
            raise no_such("account", id, "id")
        return Response(200, account)

    # ---- Stripe: account links + fake onboarding ---------------------------

    ACCOUNT_LINK_PARAMS = {"account", "collect", "collection_options", "expand", "refresh_url", "return_url", "type"}

    def create_account_link(self, req: Request, params: dict) -> Response:
        """Stripe API: Create an account link, POST /v1/account_links.
        The returned url points at GET /connect/onboard/{account} on this server."""
        reject_unknown(params, self.ACCOUNT_LINK_PARAMS)
        account_id = string_param(params, "account", required=True)
        link_type = string_param(params, "type", required=True)
        if link_type not in ("account_onboarding", "account_update"):
            raise invalid_request(
                "Invalid type: must be one of account_onboarding or account_update", None, "type"
            )
        refresh_url = url_param(params, "refresh_url")
        return_url = url_param(params, "return_url")
        if account_id not in self.state.accounts:
            raise no_such("account", account_id, "account", status=400)
        created = now()
        link = {
            "object": "account_link",
            "created": created,
            "expires_at": created + ACCOUNT_LINK_TTL_SECONDS,
            "url": f"{req.base_url}/connect/onboard/{account_id}",
        }
        self.state.account_links.append(
            {**link, "account": account_id, "type": link_type,
             "refresh_url": refresh_url, "return_url": return_url}
        )
        if return_url:
            self.state.onboarding_return[account_id] = return_url
        self.state.created[ACCOUNT_LINKS_PATH] += 1
        return Response(200, link)

    def onboarding_page(self, req: Request, id: str) -> Response:
        """Stand-in for Stripe-hosted Connect Onboarding: fetching it completes
        onboarding (details_submitted, charges_enabled, payouts_enabled)."""
        account = self.state.accounts.get(id)
        if account is None:
            return Response(404, "<!doctype html><title>Unknown account</title><p>Unknown account.</p>\n")
        mark_onboarded(account)
        back = self.state.onboarding_return.get(id)
        link = f'<p><a href="{back}">Return to the platform</a></p>' if back else ""
        return Response(
            200,
            "<!doctype html><title>Onboarding complete</title>"
            f"<h1>Onboarding complete</h1><p>Account {id} is onboarded "
            f"(stripe-shaped test server).</p>{link}\n",
        )

    # ---- Stripe: transfers ----------------------------------------------

    TRANSFER_CREATE_PARAMS = {
        "amount", "currency", "description", "destination", "expand", "metadata",
        "source_transaction", "source_type", "transfer_group",
    }
    TRANSFER_LIST_PARAMS = {"created", "destination", "ending_before", "expand", "limit", "starting_after", "transfer_group"}

    def create_transfer(self, req: Request, params: dict) -> Response:
        """Stripe API: Create a transfer, POST /v1/transfers.
        amount (integer >= 1), currency, destination (a known account) are required."""
        reject_unknown(params, self.TRANSFER_CREATE_PARAMS)
        if string_param(params, "amount") is None:
            raise invalid_request("Missing required param: amount.", "parameter_missing", "amount")
        destination = string_param(params, "destination", required=True)
        transfer = transfer_object(params, destination)
        if destination not in self.state.accounts:
            raise no_such("destination", destination, "destination", status=400)
        self.state.add_transfer(transfer)
        return Response(200, transfer)

    def retrieve_transfer(self, req: Request, params: dict, id: str) -> Response:
        """Stripe API: Retrieve a transfer, GET /v1/transfers/{id}."""
        transfer = self.state.transfers.get(id)
        if transfer is None:
            raise no_such("transfer", id, "id")
        return Response(200, transfer)

    def list_transfers(self, req: Request, params: dict) -> Response:
        """Stripe API: List all transfers, GET /v1/transfers. Newest first;
        filters created (exact or [gt|gte|lt|lte]), destination, transfer_group;
        cursor pagination with limit (1..100, default 10), starting_after,
        ending_before (Stripe API: Pagination)."""
        reject_unknown(params, self.TRANSFER_LIST_PARAMS)
        limit = self.limit_param(params)
        newest_first = [t for t in reversed(self.state.transfers.values()) if self.transfer_matches(t, params)]
        page, has_more = self.paginate(newest_first, params, limit)
        return Response(200, {"object": "list", "data": page, "has_more": has_more, "url": TRANSFERS_PATH})

    @staticmethod
    def limit_param(params: dict) -> int:
        if params.get("limit") in (None, ""):
            return 10
        limit = int_param(params["limit"], "limit")
        if not 1 <= limit <= 100:
            raise invalid_request(
                "Invalid limit: must be between 1 and 100.", "parameter_invalid_integer", "limit"
            )
        return limit

    @staticmethod
    def transfer_matches(transfer: dict, params: dict) -> bool:
        for name in ("destination", "transfer_group"):
            wanted = string_param(params, name)
            if wanted is not None and transfer[name] != wanted:
                return False
        created = params.get("created")
        if created in (None, ""):
            return True
        if isinstance(created, str):
            return transfer["created"] == int_param(created, "created")
        if not isinstance(created, dict):
            raise invalid_request("Invalid created: must be an integer or a hash.", None, "created")
        tests = {
            "gt": lambda c, v: c > v, "gte": lambda c, v: c >= v,
            "lt": lambda c, v: c < v, "lte": lambda c, v: c <= v,
        }
        for op, value in created.items():
            if op not in tests:
                raise invalid_request(f"Received unknown parameter: created[{op}]", "parameter_unknown", f"created[{op}]")
            if not tests[op](transfer["created"], int_param(value, f"created[{op}]")):
                return False
        return True

    def paginate(self, newest_first: list[dict], params: dict, limit: int) -> tuple[list[dict], bool]:
        after = string_param(params, "starting_after")
        before = string_param(params, "ending_before")
        if after and before:
            raise invalid_request(
                "You may only specify one of these parameters: ending_before, starting_after.", None, "ending_before"
            )
        seq = self.state.transfer_seq
        for name, cursor in (("starting_after", after), ("ending_before", before)):
            if cursor is not None and cursor not in seq:
                raise no_such("transfer", cursor, name, status=400)
        if after is not None:
            older = [t for t in newest_first if seq[t["id"]] < seq[after]]
            return older[:limit], len(older) > limit
        if before is not None:
            newer = [t for t in newest_first if seq[t["id"]] > seq[before]]
            return newer[-limit:], len(newer) > limit
        return newest_first[:limit], len(newest_first) > limit

    # ---- Gift-card provider API (our own design) ---------------------------

    def create_card(self, req: Request, body: dict) -> Response:
        """Gift-card API (our design): POST /giftcards/v1/cards
        {"reference", "amount_minor", "currency", "recipient_email"} -> 201 card;
        a reference already used -> 409 duplicate_reference with that card."""
        reference = body.get("reference")
        amount = body.get("amount_minor")
        currency = body.get("currency")
        email = body.get("recipient_email")
        if not isinstance(reference, str) or not reference:
            raise card_http_error(400, "invalid_request", "reference must be a non-empty string.", field="reference")
        if isinstance(amount, bool) or not isinstance(amount, int) or amount < 1:
            raise card_http_error(400, "invalid_request", "amount_minor must be an integer >= 1.", field="amount_minor")
        if not isinstance(currency, str) or not re.fullmatch(r"[A-Za-z]{3}", currency):
            raise card_http_error(400, "invalid_request", "currency must be a 3-letter ISO code.", field="currency")
        if not isinstance(email, str) or "@" not in email:
            raise card_http_error(400, "invalid_request", "recipient_email must be an email address.", field="recipient_email")
        for card in self.state.cards.values():
            if card["reference"] == reference and self.state.unique_card_references:
                raise card_http_error(
                    409, "duplicate_reference", f"A card with reference '{reference}' already exists.", card=card
                )
        card = {
            "id": random_id("gc_"),
            "reference": reference,
            "amount_minor": amount,
            "currency": currency,
            "recipient_email": email,
            "code": gift_card_code(),
            "status": "issued",
            "created": now(),
        }
        self.state.cards[card["id"]] = card
        self.state.created[CARDS_PATH] += 1
        return Response(201, card)

    def list_cards(self, req: Request) -> Response:
        """Gift-card API (our design): GET /giftcards/v1/cards[?reference=X] -> {"data": [...]}."""
        query = dict(req.query)
        reference = query.get("reference")
        cards = [c for c in self.state.cards.values() if reference is None or c["reference"] == reference]
        return Response(200, {"data": cards})

    def retrieve_card(self, req: Request, id: str) -> Response:
        """Gift-card API (our design): GET /giftcards/v1/cards/{id}."""
        card = self.state.cards.get(id)
        if card is None:
            raise card_http_error(404, "not_found", f"No card '{id}'.")
        return Response(200, card)

    # ---- Test controls ----------------------------------------------------

    def test_fail(self, req: Request) -> Response:
        """POST /_test/fail {"path", "times", "status"?, "type"?, "code"?, "message"?,
        "after_create"?, "save_for_replay"?, "should_retry"?}: the next `times`
        POSTs to `path` fail (-1 = until cleared; 0 clears)."""
        body = json_body(req, test_control_error)
        path = body.get("path")
        if path not in CREATE_PATHS:
            raise test_control_error(f"path must be one of {', '.join(CREATE_PATHS)}")
        times = body.get("times", 1)
        if isinstance(times, bool) or not isinstance(times, int) or times < -1:
            raise test_control_error("times must be an integer >= -1")
        if times == 0:
            self.state.failures.pop(path, None)
            return Response(200, {"path": path, "times": 0})
        status = body.get("status", 500)
        if isinstance(status, bool) or not isinstance(status, int) or not 400 <= status <= 599:
            raise test_control_error("status must be an HTTP error status (400..599)")
        should_retry = body.get("should_retry")
        if should_retry is not None and not isinstance(should_retry, bool):
            raise test_control_error("should_retry must be a boolean")
        failure = Failure(
            times=times,
            status=status,
            type=str(body.get("type") or ("api_error" if status >= 500 else "invalid_request_error")),
            code=body.get("code"),
            message=str(body.get("message") or "Injected failure (stripe-shaped test server)."),
            after_create=bool(body.get("after_create", False)),
            save_for_replay=bool(body.get("save_for_replay", False)),
            should_retry=should_retry,
        )
        self.state.failures[path] = failure
        return Response(200, {"path": path, **{k: v for k, v in vars(failure).items()}})

    def test_forget_idempotency(self, req: Request) -> Response:
        """POST /_test/forget_idempotency: forget every saved idempotency key
        (as Stripe does after 24 hours)."""
        forgotten = len(self.state.idempotency)
        self.state.idempotency.clear()
        return Response(200, {"forgotten": forgotten})

    def test_stats(self, req: Request) -> Response:
        """GET /_test/stats: counters and every stored object; with ?summary=1 the counters only."""
        s = self.state
        if dict(req.query).get("summary") == "1":
            return Response(200, {"creates": dict(s.creates), "created": dict(s.created)})
        return Response(200, {
            "creates": dict(s.creates),
            "created": dict(s.created),
            "by_idempotency_key": dict(s.by_idempotency_key),
            "transfers": list(s.transfers.values()),
            "cards": list(s.cards.values()),
            "accounts": list(s.accounts.values()),
            "account_links": list(s.account_links),
            "failures": {p: vars(f) for p, f in s.failures.items()},
            "idempotency_keys": len(s.idempotency),
        })

    ALTERABLE_TRANSFER_FIELDS = {
        "amount": int, "amount_reversed": int, "currency": str, "description": (str, type(None)),
        "destination": str, "metadata": dict, "reversed": bool, "transfer_group": (str, type(None)),
    }

    def test_alter_transfer(self, req: Request, id: str) -> Response:
        """POST /_test/transfers/{id}/alter {"amount": int, ...}: change a stored
        transfer (e.g. to make reconciliation see a mismatch)."""
        transfer = self.state.transfers.get(id)
        if transfer is None:
            raise test_control_error(f"No transfer '{id}'.", 404)
        body = json_body(req, test_control_error)
        if not body:
            raise test_control_error("Give at least one field to change, e.g. {\"amount\": 123}.")
        for name, value in body.items():
            kind = self.ALTERABLE_TRANSFER_FIELDS.get(name)
            if kind is None:
                raise test_control_error(f"Cannot alter '{name}'; alterable: {sorted(self.ALTERABLE_TRANSFER_FIELDS)}")
            if (isinstance(value, bool) and kind is int) or not isinstance(value, kind):
                raise test_control_error(f"Wrong type for '{name}'.")
        transfer.update(body)
        return Response(200, transfer)

    CONFIG_SETTINGS = {"unique_card_references": bool, "create_response_delay_ms": int}

    def test_config(self, req: Request) -> Response:
        """POST /_test/config {"unique_card_references"?: bool, "create_response_delay_ms"?: int}:
        server behaviour switches, answered with all current values.
        * unique_card_references (default true): false makes the gift-card API create a second
          card for a used reference instead of answering 409, so a client's duplicates show.
        * create_response_delay_ms (default 0): a successful create waits this long, after the
          object is stored and outside the lock, before answering."""
        body = json_body(req, test_control_error)
        unknown = set(body) - set(self.CONFIG_SETTINGS)
        if unknown:
            raise test_control_error(f"Unknown setting(s): {', '.join(sorted(unknown))}")
        for name, kind in self.CONFIG_SETTINGS.items():
            if name not in body:
                continue
            value = body[name]
            if (isinstance(value, bool) and kind is int) or not isinstance(value, kind):
                raise test_control_error(f"{name} must be a {kind.__name__}")
            if kind is int and not 0 <= value <= 10_000:
                raise test_control_error(f"{name} must be between 0 and 10000")
        for name, value in body.items():
            setattr(self.state, name, value)
        return Response(200, {name: getattr(self.state, name) for name in self.CONFIG_SETTINGS})

    def test_reset(self, req: Request) -> Response:
        """POST /_test/reset: clear all state (objects, keys, faults, counters)."""
        self.state.reset()
        return Response(200, {"reset": True})


# --------------------------------------------------------------------------
# HTTP plumbing
# --------------------------------------------------------------------------


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive; every response has Content-Length
    def version_string(self) -> str:
        return "stripe-shaped-test-server"

    def do_GET(self) -> None:
        self.serve()

    def do_POST(self) -> None:
        self.serve()

    def do_DELETE(self) -> None:
        self.serve()

    def do_PUT(self) -> None:
        self.serve()

    def do_PATCH(self) -> None:
        self.serve()

    def read_body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def serve(self) -> None:
        body = self.read_body()
        url = urlsplit(self.path)
        host = self.headers.get("Host") or "%s:%d" % self.server.server_address[:2]
        req = Request(
            method=self.command,
            path=url.path,
            query=parse_qsl(url.query, keep_blank_values=True),
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
            base_url=f"http://{host}",
        )
        try:
            response = self.server.app.handle(req)
        except Exception as err:  # a bug here: answer like Stripe's api_error, and say so on stderr
            import traceback
            traceback.print_exc(file=sys.stderr)
            response = stripe_error(500, "api_error", f"Internal error in the test server: {err}")
        data, content_type = response.encode()
        self.send_response(response.status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.verbose:
            super().log_message(format, *args)


class Server(ThreadingHTTPServer):
    daemon_threads = True
    # socketserver's default listen backlog is 5: with more concurrent connects than that while
    # the accept loop waits for the CPU (two cores, the whole suite running), the kernel's accept
    # queue overflows and clients see their connections reset (seen in CI with 20 at once).
    request_queue_size = 128

    def __init__(self, port: int, verbose: bool = False):
        self.app = App()
        self.verbose = verbose
        super().__init__(("127.0.0.1", port), Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        exc = sys.exc_info()[1]
        if isinstance(exc, (BrokenPipeError, ConnectionResetError)):
            return
        super().handle_error(request, client_address)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Stripe-shaped test server: a test double shaped like Stripe's "
        "documented API, not Stripe and not localstripe."
    )
    parser.add_argument("--port", type=int, required=True, help="port on 127.0.0.1")
    parser.add_argument("--verbose", action="store_true", help="log each request to stderr")
    args = parser.parse_args(argv)

    server = Server(args.port, args.verbose)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True)
    thread.start()
    print("ready", flush=True)
    while not stop.wait(0.5):
        pass
    server.shutdown()
    server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
