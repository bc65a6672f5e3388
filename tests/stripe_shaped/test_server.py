"""Self-test of the Stripe-shaped test server (tests/stripe_shaped/server.py).

Run from the repository root:

    python3 -m unittest tests/stripe_shaped/test_server.py

Starts the server as a subprocess on a free port and exercises every endpoint
and test control. The shape checks below encode the async-stripe 1.0.0-rc.10
structs (Transfer, TransferReversal, Account and its nested settings,
AccountLink, List<T>, Error): a required (non-Option) field must be present and
non-null, and every field we list must be present (null where it does not
apply), so the Rust client can deserialise what the server sends.
"""

from __future__ import annotations

import http.client
import importlib.util
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import unittest
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

SERVER = Path(__file__).resolve().parent / "server.py"
KEY = "sk_test_selftest"


# --------------------------------------------------------------------------
# Shape specs, from the Rust structs
# --------------------------------------------------------------------------


class Opt:
    """An Option<T> field: null, or a T."""

    def __init__(self, inner: Any):
        self.inner = inner


class Lit:
    """A field with one exact value (the `object` tag)."""

    def __init__(self, value: Any):
        self.value = value


MAP_STR = "map<str,str>"
ANY_DICT = "any dict"


def list_of(item: Any) -> dict:
    """stripe_types::List<T>: data, has_more and url are required."""
    return {"object": Lit("list"), "data": [item], "has_more": bool, "url": str}


TRANSFER_REVERSAL = {
    "id": str, "object": Lit("transfer_reversal"), "amount": int, "balance_transaction": Opt(str),
    "created": int, "currency": str, "destination_payment_refund": Opt(str), "metadata": Opt(MAP_STR),
    "source_refund": Opt(str), "transfer": str,
}

TRANSFER = {
    "id": str, "object": Lit("transfer"), "amount": int, "amount_reversed": int,
    "balance_transaction": Opt(str), "created": int, "currency": str, "description": Opt(str),
    "destination": Opt(str), "destination_payment": Opt(str), "livemode": bool, "metadata": MAP_STR,
    "reversals": list_of(TRANSFER_REVERSAL), "reversed": bool, "source_transaction": Opt(str),
    "source_type": Opt(str), "transfer_group": Opt(str),
}

REQUIREMENTS = {
    "alternatives": Opt([{"alternative_fields_due": [str], "original_fields_due": [str]}]),
    "current_deadline": Opt(int), "currently_due": Opt([str]), "disabled_reason": Opt(str),
    "errors": Opt([{"code": str, "reason": str, "requirement": str}]), "eventually_due": Opt([str]),
    "past_due": Opt([str]), "pending_verification": Opt([str]),
}

SETTINGS = {
    "bacs_debit_payments": Opt({"display_name": Opt(str), "service_user_number": Opt(str)}),
    "branding": {"icon": Opt(str), "logo": Opt(str), "primary_color": Opt(str), "secondary_color": Opt(str)},
    "card_issuing": Opt(ANY_DICT),
    "card_payments": {
        "decline_on": Opt({"avs_failure": bool, "cvc_failure": bool}),
        "statement_descriptor_prefix": Opt(str), "statement_descriptor_prefix_kana": Opt(str),
        "statement_descriptor_prefix_kanji": Opt(str),
    },
    "dashboard": {"display_name": Opt(str), "timezone": Opt(str)},
    "invoices": Opt({"default_account_tax_ids": Opt([str]), "hosted_payment_method_save": Opt(str)}),
    "payments": {
        "statement_descriptor": Opt(str), "statement_descriptor_kana": Opt(str),
        "statement_descriptor_kanji": Opt(str), "statement_descriptor_prefix_kana": Opt(str),
        "statement_descriptor_prefix_kanji": Opt(str),
    },
    "payouts": Opt({
        "debit_negative_balances": bool,
        "schedule": {
            "delay_days": int, "interval": str, "monthly_anchor": Opt(int),
            "monthly_payout_days": Opt([int]), "weekly_anchor": Opt(str), "weekly_payout_days": Opt([str]),
        },
        "statement_descriptor": Opt(str),
    }),
    "paypay_payments": Opt(ANY_DICT),
    "sepa_debit_payments": Opt({"creditor_id": Opt(str)}),
    "treasury": Opt(ANY_DICT),
}

ACCOUNT = {
    "id": str, "object": Lit("account"),
    "business_profile": Opt({
        "annual_revenue": Opt(ANY_DICT), "estimated_worker_count": Opt(int), "mcc": Opt(str),
        "monthly_estimated_revenue": Opt(ANY_DICT), "name": Opt(str), "product_description": Opt(str),
        "specified_commercial_transactions_act_url": Opt(str), "support_address": Opt(ANY_DICT),
        "support_email": Opt(str), "support_phone": Opt(str), "support_url": Opt(str), "url": Opt(str),
    }),
    "business_type": Opt(str), "capabilities": Opt(MAP_STR), "charges_enabled": Opt(bool),
    "company": Opt(ANY_DICT),
    "controller": Opt({
        "fees": Opt({"payer": str}), "is_controller": Opt(bool), "losses": Opt({"payments": str}),
        "requirement_collection": Opt(str), "stripe_dashboard": Opt({"type": str}), "type": str,
    }),
    "country": Opt(str), "created": Opt(int), "default_currency": Opt(str), "details_submitted": Opt(bool),
    "email": Opt(str), "external_accounts": Opt(list_of(ANY_DICT)), "future_requirements": Opt(REQUIREMENTS),
    "groups": Opt({"payments_pricing": Opt(str)}), "individual": Opt(ANY_DICT), "metadata": Opt(MAP_STR),
    "payouts_enabled": Opt(bool), "requirements": Opt(REQUIREMENTS), "settings": Opt(SETTINGS),
    "tos_acceptance": Opt({"date": Opt(int), "ip": Opt(str), "service_agreement": Opt(str), "user_agent": Opt(str)}),
    "type": Opt(str),
}

ACCOUNT_LINK = {"object": Lit("account_link"), "created": int, "expires_at": int, "url": str}

STRIPE_ERROR = {
    "error": {
        "type": str, "code": Opt(str), "message": Opt(str), "param": Opt(str),
    }
}
ERROR_TYPES = {"api_error", "card_error", "idempotency_error", "invalid_request_error"}

GIFT_CARD = {
    "id": str, "reference": str, "amount_minor": int, "currency": str, "recipient_email": str,
    "code": str, "status": str, "created": int,
}


def shape_problems(value: Any, spec: Any, where: str = "$") -> list[str]:
    """Everything about `value` that does not fit `spec` (empty if it fits)."""
    if isinstance(spec, Opt):
        return [] if value is None else shape_problems(value, spec.inner, where)
    if value is None:
        return [f"{where}: null where a value is required"]
    if isinstance(spec, Lit):
        return [] if value == spec.value else [f"{where}: {value!r} != {spec.value!r}"]
    if spec is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
        return [] if ok else [f"{where}: {value!r} is not an integer"]
    if spec in (str, bool):
        return [] if isinstance(value, spec) else [f"{where}: {value!r} is not a {spec.__name__}"]
    if spec == MAP_STR:
        ok = isinstance(value, dict) and all(isinstance(v, str) for v in value.values())
        return [] if ok else [f"{where}: {value!r} is not a map of strings"]
    if spec == ANY_DICT:
        return [] if isinstance(value, dict) else [f"{where}: {value!r} is not an object"]
    if isinstance(spec, list):
        if not isinstance(value, list):
            return [f"{where}: {value!r} is not a list"]
        return [p for i, item in enumerate(value) for p in shape_problems(item, spec[0], f"{where}[{i}]")]
    if isinstance(spec, dict):
        if not isinstance(value, dict):
            return [f"{where}: {value!r} is not an object"]
        problems = []
        for name, inner in spec.items():
            if name not in value:
                problems.append(f"{where}.{name}: missing")
            else:
                problems += shape_problems(value[name], inner, f"{where}.{name}")
        return problems
    raise AssertionError(f"bad spec {spec!r}")


# --------------------------------------------------------------------------
# Harness
# --------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server() -> tuple[subprocess.Popen, int]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, str(SERVER), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    line = proc.stdout.readline()
    if line.strip() != "ready":
        proc.kill()
        raise RuntimeError(f"server did not say ready: {line!r} {proc.stderr.read()}")
    return proc, port


def stop_server(proc: subprocess.Popen) -> tuple[int, str, str]:
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=10)
    return proc.returncode, out, err


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: Any

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


def load_server_module():
    spec = importlib.util.spec_from_file_location("stripe_shaped_server", SERVER)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up here
    spec.loader.exec_module(module)
    return module


class ServerTest(unittest.TestCase):
    """One server for the class; state is reset before every test."""

    proc: subprocess.Popen
    port: int

    @classmethod
    def setUpClass(cls) -> None:
        cls.proc, cls.port = start_server()

    @classmethod
    def tearDownClass(cls) -> None:
        rc, _, err = stop_server(cls.proc)
        assert rc == 0, f"server exited {rc}: {err}"
        assert err == "", f"server wrote to stderr: {err}"

    def setUp(self) -> None:
        self.assertEqual(self.call("POST", "/_test/reset", auth=None).status, 200)

    # ---- HTTP helpers ----

    def call(
        self,
        method: str,
        path: str,
        form: list[tuple[str, str]] | dict | None = None,
        json_body: Any = None,
        headers: dict[str, str] | None = None,
        auth: str | None = "stripe",
        conn: http.client.HTTPConnection | None = None,
    ) -> Reply:
        own = conn is None
        conn = conn or http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        hdrs: dict[str, str] = {}
        if auth == "stripe":
            hdrs["Authorization"] = f"Bearer {KEY}"
        elif auth == "card":
            hdrs["Authorization"] = "Bearer giftcard-token"
        body = None
        if form is not None:
            body = urlencode(form)
            hdrs["Content-Type"] = "application/x-www-form-urlencoded"
        if json_body is not None:
            body = json.dumps(json_body)
            hdrs["Content-Type"] = "application/json"
        hdrs.update(headers or {})
        conn.request(method, path, body=body, headers=hdrs)
        resp = conn.getresponse()
        data = resp.read()
        if own:
            conn.close()
        reply_headers = {k.lower(): v for k, v in resp.getheaders()}
        ctype = reply_headers.get("content-type", "")
        parsed = json.loads(data) if ctype.startswith("application/json") else data.decode()
        # Every response carries a Request-Id.
        self.assertRegex(reply_headers.get("request-id", ""), r"^req_[A-Za-z0-9]{14}$", f"{method} {path}")
        return Reply(resp.status, reply_headers, parsed)

    def assertShape(self, value: Any, spec: Any) -> None:
        problems = shape_problems(value, spec)
        self.assertEqual(problems, [], json.dumps(value, indent=1)[:2000])

    def assertStripeError(self, reply: Reply, status: int, type_: str, code: str | None = None,
                          param: str | None = None) -> None:
        self.assertEqual(reply.status, status, reply.body)
        self.assertShape(reply.body, STRIPE_ERROR)
        error = reply.body["error"]
        self.assertIn(error["type"], ERROR_TYPES)
        self.assertEqual(error["type"], type_, error)
        self.assertEqual(error["code"], code, error)
        self.assertEqual(error["param"], param, error)
        self.assertTrue(error["message"])

    def stats(self) -> dict:
        reply = self.call("GET", "/_test/stats", auth=None)
        self.assertEqual(reply.status, 200)
        return reply.body

    def inject(self, **config: Any) -> Reply:
        reply = self.call("POST", "/_test/fail", json_body=config, auth=None)
        self.assertEqual(reply.status, 200, reply.body)
        return reply

    def account(self, onboard: bool = False, **extra: str) -> dict:
        form = {"type": "express", "country": "US", "email": "ref@example.com",
                "capabilities[transfers][requested]": "true", **extra}
        reply = self.call("POST", "/v1/accounts", form)
        self.assertEqual(reply.status, 200, reply.body)
        if onboard:
            self.assertEqual(self.call("GET", f"/connect/onboard/{reply.body['id']}", auth=None).status, 200)
        return reply.body

    def transfer(self, destination: str, amount: int = 500, key: str | None = None, **extra: str) -> Reply:
        form = {"amount": str(amount), "currency": "usd", "destination": destination, **extra}
        headers = {"Idempotency-Key": key} if key else None
        return self.call("POST", "/v1/transfers", form, headers=headers)

    def card(self, reference: str = "payout-1", key: str | None = None, **extra: Any) -> Reply:
        body = {"reference": reference, "amount_minor": 2500, "currency": "USD",
                "recipient_email": "winner@example.com", **extra}
        headers = {"Idempotency-Key": key} if key else None
        return self.call("POST", "/giftcards/v1/cards", json_body=body, headers=headers, auth="card")


# --------------------------------------------------------------------------
# Tests
# --------------------------------------------------------------------------


class ProcessTest(unittest.TestCase):
    def test_ready_then_clean_exit_on_sigterm(self) -> None:
        proc, port = start_server()
        with socket.create_connection(("127.0.0.1", port), timeout=5):
            pass
        rc, out, err = stop_server(proc)
        self.assertEqual(rc, 0)
        self.assertEqual(out, "")  # `ready` was already read; nothing else on stdout
        self.assertEqual(err, "")  # nothing logged per request without --verbose


class FormParsingTest(unittest.TestCase):
    """Stripe's bracket notation (unit test of the parser)."""

    def setUp(self) -> None:
        self.server = load_server_module()

    def test_nested_hashes_and_arrays(self) -> None:
        parsed = self.server.parse_form([
            ("amount", "100"),
            ("metadata[payout_id]", "p_1"),
            ("metadata[campaign]", "c_2"),
            ("capabilities[transfers][requested]", "true"),
            ("expand[]", "destination"),
            ("expand[]", "balance_transaction"),
            ("items[1][price]", "b"),
            ("items[0][price]", "a"),
            ("odd[key", "x"),
        ])
        self.assertEqual(parsed, {
            "amount": "100",
            "metadata": {"payout_id": "p_1", "campaign": "c_2"},
            "capabilities": {"transfers": {"requested": "true"}},
            "expand": ["destination", "balance_transaction"],
            "items": [{"price": "a"}, {"price": "b"}],
            "odd[key": "x",
        })

    def test_scalar_and_hash_conflict_is_an_error(self) -> None:
        for pairs in ([("a", "1"), ("a[b]", "2")], [("a[b]", "2"), ("a", "1")]):
            with self.assertRaises(self.server.HttpError) as ctx:
                self.server.parse_form(pairs)
            self.assertEqual(ctx.exception.response.status, 400)


class AuthAndRoutingTest(ServerTest):
    def test_auth(self) -> None:
        self.assertStripeError(self.call("GET", "/v1/transfers", auth=None), 401, "invalid_request_error")
        bad = self.call("GET", "/v1/transfers", auth=None, headers={"Authorization": "Bearer sk_live_abcdefghijkl"})
        self.assertStripeError(bad, 401, "invalid_request_error")
        self.assertNotIn("abcdefgh", bad.body["error"]["message"])
        self.assertEqual(self.call("GET", "/v1/transfers").status, 200)  # Bearer
        basic = "Basic " + __import__("base64").b64encode(f"{KEY}:".encode()).decode()
        self.assertEqual(self.call("GET", "/v1/transfers", auth=None, headers={"Authorization": basic}).status, 200)
        # POSTs without auth create nothing, but are counted.
        self.assertStripeError(self.call("POST", "/v1/accounts", {"type": "express"}, auth=None),
                               401, "invalid_request_error")
        self.assertEqual(self.stats()["creates"]["/v1/accounts"], 1)
        self.assertEqual(self.stats()["created"]["/v1/accounts"], 0)

    def test_unknown_routes(self) -> None:
        self.assertStripeError(self.call("GET", "/v1/charges_nope"), 404, "invalid_request_error")
        self.assertStripeError(self.call("DELETE", "/v1/transfers"), 404, "invalid_request_error")
        self.assertEqual(self.call("GET", "/giftcards/v1/nope", auth="card").body["error"]["code"], "not_found")
        self.assertEqual(self.call("GET", "/elsewhere", auth=None).status, 404)

    def test_keep_alive(self) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            for _ in range(3):
                self.assertEqual(self.call("GET", "/v1/transfers", conn=conn).status, 200)
            self.assertEqual(self.call("POST", "/v1/transfers", {"amount": "x"}, conn=conn).status, 400)
            self.assertEqual(self.call("GET", "/_test/stats", auth=None, conn=conn).status, 200)
        finally:
            conn.close()

    def test_unknown_parameter(self) -> None:
        acct = self.account()
        reply = self.transfer(acct["id"], bogus="1")
        self.assertStripeError(reply, 400, "invalid_request_error", "parameter_unknown", "bogus")


class AccountTest(ServerTest):
    def test_create_and_retrieve(self) -> None:
        created = self.account(**{
            "metadata[referrer_id]": "r_9", "business_profile[name]": "Ada",
            "business_profile[estimated_worker_count]": "3",
        })
        self.assertShape(created, ACCOUNT)
        self.assertRegex(created["id"], r"^acct_[A-Za-z0-9]{16}$")
        self.assertEqual(created["type"], "express")
        self.assertEqual(created["country"], "US")
        self.assertEqual(created["default_currency"], "usd")
        self.assertEqual(created["email"], "ref@example.com")
        self.assertEqual(created["metadata"], {"referrer_id": "r_9"})
        self.assertEqual(created["business_profile"]["name"], "Ada")
        self.assertEqual(created["business_profile"]["estimated_worker_count"], 3)
        self.assertEqual(created["capabilities"], {"transfers": "inactive"})
        self.assertIs(created["charges_enabled"], False)
        self.assertIs(created["payouts_enabled"], False)
        self.assertIs(created["details_submitted"], False)
        self.assertEqual(created["controller"]["stripe_dashboard"]["type"], "express")
        self.assertTrue(created["requirements"]["currently_due"])

        fetched = self.call("GET", f"/v1/accounts/{created['id']}")
        self.assertEqual(fetched.status, 200)
        self.assertEqual(fetched.body, created)

        missing = self.call("GET", "/v1/accounts/acct_nope")
        self.assertStripeError(missing, 404, "invalid_request_error", "resource_missing", "id")

    def test_types_and_countries(self) -> None:
        for type_, dashboard in (("custom", "none"), ("standard", "full")):
            acct = self.call("POST", "/v1/accounts", {"type": type_, "country": "de"}).body
            self.assertShape(acct, ACCOUNT)
            self.assertEqual((acct["type"], acct["country"], acct["default_currency"]), (type_, "DE", "eur"))
            self.assertEqual(acct["controller"]["stripe_dashboard"]["type"], dashboard)
        controlled = self.call("POST", "/v1/accounts", {"controller[stripe_dashboard][type]": "none"}).body
        self.assertEqual(controlled["type"], "none")
        self.assertEqual(controlled["controller"]["stripe_dashboard"]["type"], "none")

    def test_validation(self) -> None:
        self.assertStripeError(self.call("POST", "/v1/accounts", {"country": "US"}),
                               400, "invalid_request_error", "parameter_missing", "type")
        self.assertStripeError(self.call("POST", "/v1/accounts", {"type": "weird"}),
                               400, "invalid_request_error", None, "type")
        self.assertStripeError(self.call("POST", "/v1/accounts", {"type": "express", "email": "nope"}),
                               400, "invalid_request_error", "email_invalid", "email")
        self.assertStripeError(
            self.call("POST", "/v1/accounts", {"type": "express", "capabilities[transfers][requested]": "maybe"}),
            400, "invalid_request_error", None, "capabilities[transfers][requested]")
        self.assertEqual(self.stats()["created"]["/v1/accounts"], 0)


class AccountLinkTest(ServerTest):
    def test_link_and_onboarding(self) -> None:
        acct = self.account()
        reply = self.call("POST", "/v1/account_links", {
            "account": acct["id"], "type": "account_onboarding",
            "refresh_url": "https://grapevine.test/refresh", "return_url": "https://grapevine.test/done",
        })
        self.assertEqual(reply.status, 200, reply.body)
        link = reply.body
        self.assertShape(link, ACCOUNT_LINK)
        self.assertEqual(set(link), {"object", "created", "expires_at", "url"})
        self.assertGreater(link["expires_at"], link["created"])
        url = urlsplit(link["url"])
        self.assertEqual((url.hostname, url.port), ("127.0.0.1", self.port))
        self.assertEqual(url.path, f"/connect/onboard/{acct['id']}")

        page = self.call("GET", url.path, auth=None)
        self.assertEqual(page.status, 200)
        self.assertTrue(page.header("content-type").startswith("text/html"))
        self.assertIn("https://grapevine.test/done", page.body)

        after = self.call("GET", f"/v1/accounts/{acct['id']}").body
        self.assertShape(after, ACCOUNT)
        self.assertIs(after["details_submitted"], True)
        self.assertIs(after["charges_enabled"], True)
        self.assertIs(after["payouts_enabled"], True)
        self.assertEqual(after["capabilities"], {"transfers": "active"})
        self.assertEqual(after["requirements"]["currently_due"], [])
        self.assertIsNone(after["requirements"]["disabled_reason"])
        self.assertEqual(self.stats()["created"]["/v1/account_links"], 1)

    def test_link_errors(self) -> None:
        self.assertStripeError(
            self.call("POST", "/v1/account_links", {"account": "acct_nope", "type": "account_onboarding"}),
            400, "invalid_request_error", "resource_missing", "account")
        acct = self.account()
        self.assertStripeError(self.call("POST", "/v1/account_links", {"account": acct["id"]}),
                               400, "invalid_request_error", "parameter_missing", "type")
        self.assertStripeError(
            self.call("POST", "/v1/account_links",
                      {"account": acct["id"], "type": "account_onboarding", "return_url": "ftp://x"}),
            400, "invalid_request_error", "url_invalid", "return_url")
        self.assertEqual(self.call("GET", "/connect/onboard/acct_nope", auth=None).status, 404)


class TransferTest(ServerTest):
    def test_create_shape(self) -> None:
        acct = self.account(onboard=True)
        reply = self.transfer(acct["id"], 1234, transfer_group="payout_77", description="Referral reward",
                              **{"metadata[payout_id]": "77", "currency": "USD"})
        self.assertEqual(reply.status, 200, reply.body)
        tr = reply.body
        self.assertShape(tr, TRANSFER)
        self.assertRegex(tr["id"], r"^tr_[A-Za-z0-9]{24}$")
        self.assertRegex(tr["destination_payment"], r"^py_")
        self.assertRegex(tr["balance_transaction"], r"^txn_")
        self.assertEqual(
            (tr["amount"], tr["amount_reversed"], tr["currency"], tr["destination"], tr["transfer_group"],
             tr["description"], tr["metadata"], tr["reversed"], tr["livemode"]),
            (1234, 0, "usd", acct["id"], "payout_77", "Referral reward", {"payout_id": "77"}, False, False))
        self.assertEqual(tr["reversals"], {"object": "list", "data": [], "has_more": False, "total_count": 0,
                                           "url": f"/v1/transfers/{tr['id']}/reversals"})
        self.assertLess(abs(tr["created"] - time.time()), 5)

        fetched = self.call("GET", f"/v1/transfers/{tr['id']}")
        self.assertEqual((fetched.status, fetched.body), (200, tr))
        self.assertStripeError(self.call("GET", "/v1/transfers/tr_nope"), 404, "invalid_request_error",
                               "resource_missing", "id")

    def test_not_yet_onboarded_destination_is_accepted(self) -> None:
        self.assertEqual(self.transfer(self.account()["id"]).status, 200)

    def test_validation(self) -> None:
        acct = self.account()
        cases = [
            ({"currency": "usd", "destination": acct["id"]}, "parameter_missing", "amount"),
            ({"amount": "ten", "currency": "usd", "destination": acct["id"]}, "parameter_invalid_integer", "amount"),
            ({"amount": "0", "currency": "usd", "destination": acct["id"]}, "parameter_invalid_integer", "amount"),
            ({"amount": "-5", "currency": "usd", "destination": acct["id"]}, "parameter_invalid_integer", "amount"),
            ({"amount": "5", "destination": acct["id"]}, "parameter_missing", "currency"),
            ({"amount": "5", "currency": "dollars", "destination": acct["id"]}, None, "currency"),
            ({"amount": "5", "currency": "usd"}, "parameter_missing", "destination"),
            ({"amount": "5", "currency": "usd", "destination": "acct_unknown"}, "resource_missing", "destination"),
        ]
        for form, code, param in cases:
            with self.subTest(form=form):
                self.assertStripeError(self.call("POST", "/v1/transfers", form), 400, "invalid_request_error",
                                       code, param)
        self.assertEqual(self.stats()["created"]["/v1/transfers"], 0)
        self.assertEqual(self.stats()["creates"]["/v1/transfers"], len(cases))


class ListTransfersTest(ServerTest):
    def setUp(self) -> None:
        super().setUp()
        self.a = self.account()["id"]
        self.b = self.account()["id"]
        # 12 transfers, oldest first: even ones to a (group g-even), odd ones to b.
        self.ids = []
        for i in range(12):
            dest, group = (self.a, "g-even") if i % 2 == 0 else (self.b, "g-odd")
            self.ids.append(self.transfer(dest, 100 + i, transfer_group=group).body["id"])
        self.newest_first = list(reversed(self.ids))

    def page(self, **params: str) -> dict:
        reply = self.call("GET", "/v1/transfers?" + urlencode(params))
        self.assertEqual(reply.status, 200, reply.body)
        self.assertShape(reply.body, list_of(TRANSFER))
        self.assertEqual(reply.body["url"], "/v1/transfers")
        return reply.body

    def ids_of(self, page: dict) -> list[str]:
        return [t["id"] for t in page["data"]]

    def test_default_limit_and_order(self) -> None:
        page = self.page()
        self.assertEqual(self.ids_of(page), self.newest_first[:10])
        self.assertIs(page["has_more"], True)
        everything = self.page(limit="100")
        self.assertEqual(self.ids_of(everything), self.newest_first)
        self.assertIs(everything["has_more"], False)

    def test_filters(self) -> None:
        to_a = self.page(destination=self.a)
        self.assertEqual(self.ids_of(to_a), self.newest_first[1::2])
        self.assertIs(to_a["has_more"], False)
        odd = self.page(transfer_group="g-odd", limit="6")
        self.assertEqual(self.ids_of(odd), self.newest_first[0::2])
        self.assertIs(odd["has_more"], False)
        self.assertEqual(self.page(transfer_group="nope")["data"], [])
        self.assertEqual(self.page(destination=self.a, transfer_group="g-odd")["data"], [])

    def test_created_filters(self) -> None:
        created = self.call("GET", f"/v1/transfers/{self.ids[0]}").body["created"]
        self.assertEqual(len(self.page(limit="100", **{"created[gte]": str(created)})["data"]), 12)
        self.assertEqual(self.page(**{"created[gt]": str(created + 3600)})["data"], [])
        self.assertEqual(self.page(**{"created[lte]": str(created - 3600)})["data"], [])
        self.assertEqual(self.page(**{"created[lt]": str(created + 3600), "created[gte]": str(created - 5),
                                      "limit": "100"})["has_more"], False)
        self.assertEqual(self.page(created="1")["data"], [])

    def test_cursor_pagination_walks_everything(self) -> None:
        seen, cursor = [], None
        while True:
            params = {"limit": "5", **({"starting_after": cursor} if cursor else {})}
            page = self.page(**params)
            seen += self.ids_of(page)
            if not page["has_more"]:
                break
            cursor = seen[-1]
        self.assertEqual(seen, self.newest_first)

        back = self.page(limit="3", ending_before=self.newest_first[5])
        self.assertEqual(self.ids_of(back), self.newest_first[2:5])
        self.assertIs(back["has_more"], True)
        top = self.page(limit="3", ending_before=self.newest_first[2])
        self.assertEqual(self.ids_of(top), self.newest_first[0:2])
        self.assertIs(top["has_more"], False)
        filtered = self.page(destination=self.a, limit="2", starting_after=self.newest_first[0])
        self.assertEqual(self.ids_of(filtered), [self.newest_first[1], self.newest_first[3]])
        self.assertIs(filtered["has_more"], True)

    def test_bad_list_params(self) -> None:
        for params, code, param in (
            ({"limit": "0"}, "parameter_invalid_integer", "limit"),
            ({"limit": "101"}, "parameter_invalid_integer", "limit"),
            ({"limit": "ten"}, "parameter_invalid_integer", "limit"),
            ({"starting_after": "tr_nope"}, "resource_missing", "starting_after"),
            ({"starting_after": self.ids[0], "ending_before": self.ids[1]}, None, "ending_before"),
            ({"created[around]": "5"}, "parameter_unknown", "created[around]"),
            ({"colour": "red"}, "parameter_unknown", "colour"),
        ):
            with self.subTest(params=params):
                self.assertStripeError(self.call("GET", "/v1/transfers?" + urlencode(params)),
                                       400, "invalid_request_error", code, param)


class IdempotencyTest(ServerTest):
    def test_replay_same_params(self) -> None:
        acct = self.account()["id"]
        first = self.transfer(acct, key="payout-1", **{"metadata[payout_id]": "1"})
        second = self.transfer(acct, key="payout-1", **{"metadata[payout_id]": "1"})
        self.assertEqual((first.status, second.status), (200, 200))
        self.assertIsNone(first.header("idempotent-replayed"))
        self.assertEqual(second.header("idempotent-replayed"), "true")
        self.assertEqual(second.header("original-request"), first.header("request-id"))
        self.assertNotEqual(second.header("request-id"), first.header("request-id"))
        self.assertEqual(second.header("idempotency-key"), "payout-1")
        self.assertEqual(second.body, first.body)
        stats = self.stats()
        self.assertEqual(stats["creates"]["/v1/transfers"], 2)
        self.assertEqual(stats["created"]["/v1/transfers"], 1)
        self.assertEqual(stats["by_idempotency_key"], {"payout-1": 2})
        self.assertEqual(len(stats["transfers"]), 1)

    def test_same_key_different_params_or_endpoint(self) -> None:
        acct = self.account()["id"]
        self.assertEqual(self.transfer(acct, 500, key="k").status, 200)
        self.assertStripeError(self.transfer(acct, 501, key="k"), 400, "idempotency_error")
        self.assertStripeError(
            self.call("POST", "/v1/accounts", {"type": "express"}, headers={"Idempotency-Key": "k"}),
            400, "idempotency_error")
        self.assertEqual(self.stats()["created"]["/v1/transfers"], 1)
        # Keys are per API key (Stripe scopes them to the account).
        other = self.call("POST", "/v1/transfers", {"amount": "501", "currency": "usd", "destination": acct},
                          auth=None, headers={"Authorization": "Bearer sk_test_other", "Idempotency-Key": "k"})
        self.assertEqual(other.status, 200)

    def test_key_length(self) -> None:
        acct = self.account()["id"]
        self.assertStripeError(self.transfer(acct, key="x" * 256), 400, "invalid_request_error")
        self.assertEqual(self.transfer(acct, key="x" * 255).status, 200)

    def test_4xx_saved_5xx_not(self) -> None:
        acct = self.account()["id"]
        # A 400 from the endpoint is saved: fixing the world does not change the answer.
        bad = self.call("POST", "/v1/transfers", {"amount": "5", "currency": "usd", "destination": "acct_later"},
                        headers={"Idempotency-Key": "k400"})
        self.assertStripeError(bad, 400, "invalid_request_error", "resource_missing", "destination")
        again = self.call("POST", "/v1/transfers", {"amount": "5", "currency": "usd", "destination": "acct_later"},
                          headers={"Idempotency-Key": "k400"})
        self.assertEqual((again.status, again.body), (400, bad.body))
        self.assertEqual(again.header("idempotent-replayed"), "true")
        # An injected 500 is not saved: a retry with the same key runs again.
        self.inject(path="/v1/transfers", times=1, status=500, type="api_error", code="processing_error",
                  message="boom")
        failed = self.transfer(acct, key="k500")
        self.assertStripeError(failed, 500, "api_error", "processing_error")
        self.assertEqual(failed.body["error"]["message"], "boom")
        retried = self.transfer(acct, key="k500")
        self.assertEqual(retried.status, 200)
        self.assertIsNone(retried.header("idempotent-replayed"))
        stats = self.stats()
        self.assertEqual(stats["created"]["/v1/transfers"], 1)
        self.assertEqual(stats["by_idempotency_key"], {"k400": 2, "k500": 2})

    def test_forget_idempotency(self) -> None:
        acct = self.account()["id"]
        self.transfer(acct, key="k")
        self.assertEqual(self.call("POST", "/_test/forget_idempotency", auth=None).body, {"forgotten": 1})
        again = self.transfer(acct, key="k")
        self.assertEqual(again.status, 200)
        self.assertIsNone(again.header("idempotent-replayed"))
        self.assertEqual(self.stats()["created"]["/v1/transfers"], 2)

    def test_concurrent_same_key_creates_once(self) -> None:
        acct = self.account()["id"]
        replies: list[Reply] = []

        def post(key: str) -> None:
            replies.append(self.transfer(acct, key=key))

        threads = [threading.Thread(target=post, args=("same",)) for _ in range(10)]
        threads += [threading.Thread(target=post, args=(f"k{i}",)) for i in range(10)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertTrue(all(r.status == 200 for r in replies))
        stats = self.stats()
        self.assertEqual(stats["created"]["/v1/transfers"], 11)
        self.assertEqual(stats["creates"]["/v1/transfers"], 20)
        self.assertEqual(stats["by_idempotency_key"]["same"], 10)


class FaultInjectionTest(ServerTest):
    def test_times_n(self) -> None:
        acct = self.account()["id"]
        self.inject(path="/v1/transfers", times=2, status=500, type="api_error", code=None, message="down")
        self.assertStripeError(self.transfer(acct), 500, "api_error")
        self.assertStripeError(self.transfer(acct), 500, "api_error")
        self.assertEqual(self.transfer(acct).status, 200)
        stats = self.stats()
        self.assertEqual((stats["creates"]["/v1/transfers"], stats["created"]["/v1/transfers"]), (3, 1))
        self.assertEqual(stats["failures"], {})

    def test_forever_until_cleared(self) -> None:
        acct = self.account()["id"]
        self.inject(path="/v1/transfers", times=-1, status=503, type="api_error", code="x", message="m",
                  should_retry=False)
        for _ in range(4):
            reply = self.transfer(acct, key="same")
            self.assertStripeError(reply, 503, "api_error", "x")
            self.assertEqual(reply.header("stripe-should-retry"), "false")
        self.inject(path="/v1/transfers", times=0)
        self.assertEqual(self.transfer(acct, key="same").status, 200)
        self.assertEqual(self.stats()["created"]["/v1/transfers"], 1)

    def test_card_error_402_is_saved(self) -> None:
        acct = self.account()["id"]
        self.inject(path="/v1/transfers", times=1, status=402, type="card_error", code="card_declined", message="no")
        self.assertStripeError(self.transfer(acct, key="k"), 402, "card_error", "card_declined")
        replay = self.transfer(acct, key="k")
        self.assertStripeError(replay, 402, "card_error", "card_declined")
        self.assertEqual(replay.header("idempotent-replayed"), "true")

    def test_other_paths(self) -> None:
        self.inject(path="/v1/accounts", times=1)
        self.assertStripeError(self.call("POST", "/v1/accounts", {"type": "express"}), 500, "api_error")
        acct = self.account()
        self.inject(path="/v1/account_links", times=1)
        self.assertStripeError(
            self.call("POST", "/v1/account_links", {"account": acct["id"], "type": "account_onboarding"}),
            500, "api_error")

    def test_after_create_loses_the_response(self) -> None:
        acct = self.account()["id"]
        self.inject(path="/v1/transfers", times=1, after_create=True)
        lost = self.transfer(acct, key="k")
        self.assertStripeError(lost, 500, "api_error")
        self.assertEqual(self.stats()["created"]["/v1/transfers"], 1)
        retry = self.transfer(acct, key="k")
        self.assertEqual(retry.status, 200)
        self.assertEqual(retry.header("idempotent-replayed"), "true")
        self.assertEqual(self.stats()["created"]["/v1/transfers"], 1)

    def test_save_for_replay(self) -> None:
        acct = self.account()["id"]
        self.inject(path="/v1/transfers", times=1, save_for_replay=True)
        self.assertStripeError(self.transfer(acct, key="k"), 500, "api_error")
        replay = self.transfer(acct, key="k")
        self.assertStripeError(replay, 500, "api_error")
        self.assertEqual(replay.header("idempotent-replayed"), "true")
        self.assertEqual(self.stats()["created"]["/v1/transfers"], 0)

    def test_bad_control_requests(self) -> None:
        for body in ({"path": "/v1/nope", "times": 1}, {"path": "/v1/transfers", "times": -2},
                     {"path": "/v1/transfers", "times": 1, "status": 200}):
            with self.subTest(body=body):
                self.assertEqual(self.call("POST", "/_test/fail", json_body=body, auth=None).status, 400)


class GiftCardTest(ServerTest):
    def test_create_get_list(self) -> None:
        reply = self.card("payout-9")
        self.assertEqual(reply.status, 201, reply.body)
        card = reply.body
        self.assertShape(card, GIFT_CARD)
        self.assertEqual(set(card), set(GIFT_CARD))
        self.assertRegex(card["id"], r"^gc_[A-Za-z0-9]+$")
        self.assertRegex(card["code"], r"^[A-Z0-9]{16}$")
        self.assertEqual((card["reference"], card["amount_minor"], card["currency"], card["recipient_email"],
                          card["status"]), ("payout-9", 2500, "USD", "winner@example.com", "issued"))
        self.card("payout-10")

        self.assertEqual(self.call("GET", f"/giftcards/v1/cards/{card['id']}", auth="card").body, card)
        self.assertEqual(self.call("GET", "/giftcards/v1/cards?reference=payout-9", auth="card").body,
                         {"data": [card]})
        self.assertEqual(self.call("GET", "/giftcards/v1/cards?reference=none", auth="card").body, {"data": []})
        self.assertEqual(len(self.call("GET", "/giftcards/v1/cards", auth="card").body["data"]), 2)
        missing = self.call("GET", "/giftcards/v1/cards/gc_nope", auth="card")
        self.assertEqual((missing.status, missing.body["error"]["code"]), (404, "not_found"))

    def test_duplicate_reference(self) -> None:
        card = self.card("payout-1").body
        dup = self.card("payout-1", amount_minor=1)
        self.assertEqual(dup.status, 409)
        self.assertEqual(dup.body["error"]["code"], "duplicate_reference")
        self.assertTrue(dup.body["error"]["message"])
        self.assertEqual(dup.body["error"]["card"], card)
        self.assertEqual(self.stats()["created"]["/giftcards/v1/cards"], 1)

    def test_duplicates_allowed_when_references_are_not_unique(self) -> None:
        bad = self.call("POST", "/_test/config", json_body={"unique_card_references": "no"}, auth=None)
        self.assertEqual(bad.status, 400)
        bad = self.call("POST", "/_test/config", json_body={"other": True}, auth=None)
        self.assertEqual(bad.status, 400)
        ok = self.call("POST", "/_test/config", json_body={"unique_card_references": False}, auth=None)
        self.assertEqual((ok.status, ok.body),
                         (200, {"unique_card_references": False, "create_response_delay_ms": 0}))
        first = self.card("payout-1").body
        second = self.card("payout-1")
        self.assertEqual(second.status, 201)
        self.assertNotEqual(second.body["id"], first["id"])
        listed = self.call("GET", "/giftcards/v1/cards?reference=payout-1", auth="card").body["data"]
        self.assertEqual([c["id"] for c in listed], [first["id"], second.body["id"]])
        self.assertEqual(self.stats()["created"]["/giftcards/v1/cards"], 2)
        # Reset restores the default.
        self.call("POST", "/_test/reset", auth=None)
        self.card("payout-1")
        self.assertEqual(self.card("payout-1").status, 409)

    def test_create_response_delay_and_summary_stats(self) -> None:
        for bad in ({"create_response_delay_ms": -1}, {"create_response_delay_ms": True},
                    {"create_response_delay_ms": 20_000}):
            self.assertEqual(self.call("POST", "/_test/config", json_body=bad, auth=None).status, 400)
        ok = self.call("POST", "/_test/config", json_body={"create_response_delay_ms": 300}, auth=None)
        self.assertEqual(ok.body["create_response_delay_ms"], 300)
        acct = self.account()
        done: list[Reply] = []
        worker = threading.Thread(target=lambda: done.append(self.transfer(acct["id"])))
        started = time.monotonic()
        worker.start()
        # The transfer exists (stats say so) while its response is still held back.
        while self.call("GET", "/_test/stats?summary=1", auth=None).body["created"]["/v1/transfers"] < 1:
            self.assertLess(time.monotonic() - started, 5)
            time.sleep(0.005)
        self.assertEqual(done, [])
        summary = self.call("GET", "/_test/stats?summary=1", auth=None).body
        self.assertEqual(set(summary), {"creates", "created"})
        worker.join()
        self.assertEqual(done[0].status, 200)
        self.assertGreaterEqual(time.monotonic() - started, 0.3)

    def test_idempotency(self) -> None:
        first = self.card("payout-1", key="c1")
        replay = self.card("payout-1", key="c1")
        self.assertEqual((replay.status, replay.body), (201, first.body))
        self.assertEqual(replay.header("idempotent-replayed"), "true")
        mismatch = self.card("payout-2", key="c1")
        self.assertEqual((mismatch.status, mismatch.body["error"]["code"]), (422, "idempotency_key_mismatch"))
        # A 5xx is not saved; the retry with the same key creates the card.
        self.inject(path="/giftcards/v1/cards", times=1, status=502, code="upstream", message="provider down")
        down = self.card("payout-3", key="c3")
        self.assertEqual((down.status, down.body), (502, {"error": {"code": "upstream", "message": "provider down"}}))
        self.assertEqual(self.card("payout-3", key="c3").status, 201)
        # After the keys are forgotten, the reference still guards against a second card.
        self.call("POST", "/_test/forget_idempotency", auth=None)
        self.assertEqual(self.card("payout-3", key="c3").status, 409)
        stats = self.stats()
        self.assertEqual(stats["created"]["/giftcards/v1/cards"], 2)
        self.assertEqual(stats["creates"]["/giftcards/v1/cards"], 6)
        self.assertEqual(stats["by_idempotency_key"], {"c1": 3, "c3": 3})
        self.assertEqual(len(stats["cards"]), 2)

    def test_auth_and_validation(self) -> None:
        for headers in ({}, {"Authorization": "Bearer "}, {"Authorization": "Basic abc"}):
            reply = self.call("POST", "/giftcards/v1/cards", json_body={"reference": "r"}, auth=None,
                              headers=headers)
            self.assertEqual((reply.status, reply.body["error"]["code"]), (401, "unauthorized"))
        self.assertEqual(self.call("GET", "/giftcards/v1/cards", auth=None).status, 401)
        for extra, fld in (({"reference": ""}, "reference"), ({"amount_minor": 0}, "amount_minor"),
                           ({"amount_minor": "5"}, "amount_minor"), ({"amount_minor": True}, "amount_minor"),
                           ({"currency": "US"}, "currency"), ({"recipient_email": "x"}, "recipient_email")):
            with self.subTest(extra=extra):
                body = {"reference": "r", "amount_minor": 1, "currency": "EUR", "recipient_email": "a@b.c", **extra}
                reply = self.call("POST", "/giftcards/v1/cards", json_body=body, auth="card")
                self.assertEqual((reply.status, reply.body["error"]["code"], reply.body["error"]["field"]),
                                 (400, "invalid_request", fld))
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        conn.request("POST", "/giftcards/v1/cards", body="{not json",
                     headers={"Authorization": "Bearer t", "Content-Type": "application/json"})
        self.assertEqual(conn.getresponse().status, 400)
        conn.close()


class ControlsTest(ServerTest):
    def test_stats_alter_reset(self) -> None:
        acct = self.account()
        tr = self.transfer(acct["id"], 700, key="k1").body
        card = self.card().body
        stats = self.stats()
        self.assertEqual(stats["creates"], {"/v1/accounts": 1, "/v1/account_links": 0, "/v1/transfers": 1,
                                            "/giftcards/v1/cards": 1})
        self.assertEqual(stats["created"], stats["creates"])
        self.assertEqual(stats["by_idempotency_key"], {"k1": 1})
        self.assertEqual(stats["transfers"], [tr])
        self.assertEqual(stats["cards"], [card])
        self.assertEqual(stats["accounts"], [acct])

        altered = self.call("POST", f"/_test/transfers/{tr['id']}/alter", json_body={"amount": 699}, auth=None)
        self.assertEqual((altered.status, altered.body["amount"]), (200, 699))
        self.assertShape(altered.body, TRANSFER)
        self.assertEqual(self.call("GET", f"/v1/transfers/{tr['id']}").body["amount"], 699)
        # A replay returns the response as first sent (Stripe replays the saved body).
        self.assertEqual(self.transfer(acct["id"], 700, key="k1").body["amount"], 700)
        for body, status in (({"amount": "1"}, 400), ({"amount": True}, 400), ({"id": "x"}, 400), ({}, 400)):
            with self.subTest(body=body):
                reply = self.call("POST", f"/_test/transfers/{tr['id']}/alter", json_body=body, auth=None)
                self.assertEqual(reply.status, status)
        self.assertEqual(self.call("POST", "/_test/transfers/tr_nope/alter", json_body={"amount": 1},
                                   auth=None).status, 404)

        self.inject(path="/v1/transfers", times=-1)
        self.assertEqual(self.call("POST", "/_test/reset", auth=None).body, {"reset": True})
        stats = self.stats()
        self.assertEqual(stats["transfers"] + stats["cards"] + stats["accounts"], [])
        self.assertEqual(set(stats["creates"].values()) | set(stats["created"].values()), {0})
        self.assertEqual(stats["by_idempotency_key"], {})
        self.assertEqual(stats["failures"], {})
        self.assertStripeError(self.call("GET", f"/v1/transfers/{tr['id']}"), 404, "invalid_request_error",
                               "resource_missing", "id")
        self.assertEqual(self.transfer(self.account()["id"], key="k1").status, 200)


class VerboseTest(unittest.TestCase):
    def test_verbose_logs_requests_to_stderr(self) -> None:
        port = free_port()
        proc = subprocess.Popen([sys.executable, str(SERVER), "--port", str(port), "--verbose"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            self.assertEqual(proc.stdout.readline().strip(), "ready")
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            conn.request("GET", "/_test/stats")
            conn.getresponse().read()
            conn.close()
        finally:
            rc, _, err = stop_server(proc)
        self.assertEqual(rc, 0)
        self.assertIn("/_test/stats", err)


if __name__ == "__main__":
    unittest.main()
