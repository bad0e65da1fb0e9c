"""Rule webhooks: signed body, refused addresses, retries through the job's backoff."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.test import override_settings

from core.jobs.models import Job, JobStatus
from crm import services as crm
from crm.automation.models import RuleRun, RunStatus
from crm.automation.services import rule_create
from crm.automation.webhooks import WebhookRefusedError, signature, webhook_url_check
from tests.crm.automation.conftest import run_jobs, waiting

pytestmark = pytest.mark.usefixtures("crm")


class _Receiver(BaseHTTPRequestHandler):
    received: list[tuple[dict[str, str], bytes]] = []
    status = 200

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append((dict(self.headers), body))
        self.send_response(type(self).status)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[tuple[str, type[_Receiver]]]:
    _Receiver.received = []
    _Receiver.status = 200
    server = HTTPServer(("127.0.0.1", 0), _Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/hook", _Receiver
    server.shutdown()


def _webhook_rule(admin, url: str):
    return rule_create(
        by=admin,
        fields={
            "name": "Tell the ERP",
            "object_type": "contact",
            "trigger": "created",
            "actions": [{"kind": "webhook", "url": url}],
        },
    )


@override_settings(AUTOMATION_WEBHOOK_HTTPS_ONLY=False, AUTOMATION_WEBHOOK_ALLOW_PRIVATE=True)
def test_the_body_is_json_signed_with_the_rules_secret(admin, rep, receiver) -> None:
    url, handler = receiver
    rule = _webhook_rule(admin, url)
    assert len(rule.webhook_secret) == 64
    contact = crm.contact_create(by=rep, fields={"full_name": "Li Na", "city": "Xi'an"})
    run_jobs()
    headers, body = handler.received[0]
    expected = "sha256=" + hmac.new(rule.webhook_secret.encode(), body, hashlib.sha256).hexdigest()
    assert headers["X-Rapport-Signature"] == expected
    assert headers["Content-Type"] == "application/json"
    payload = json.loads(body)
    assert payload["record"]["id"] == contact.pk
    assert payload["record"]["city"] == "Xi'an"
    run = RuleRun.objects.get(rule=rule)
    assert run.status == RunStatus.DONE
    assert "200" in run.result


@override_settings(AUTOMATION_WEBHOOK_HTTPS_ONLY=False, AUTOMATION_WEBHOOK_ALLOW_PRIVATE=True)
def test_a_failing_receiver_is_retried_with_backoff(admin, rep, receiver) -> None:
    url, handler = receiver
    handler.status = 503
    rule = _webhook_rule(admin, url)
    crm.contact_create(by=rep, fields={"full_name": "Li Na"})
    run_jobs()
    job = Job.objects.get(handler="automation.webhook_deliver")
    assert job.status == JobStatus.PENDING
    assert job.attempts == 1
    assert "503" in job.last_error
    run = RuleRun.objects.get(rule=rule)
    assert run.status == RunStatus.DONE
    assert "attempt 1 failed" in run.result


def test_private_and_loopback_addresses_are_refused_when_the_rule_runs(admin, rep) -> None:
    rule = _webhook_rule(admin, "https://hooks.example.com/in")
    crm.contact_create(by=rep, fields={"full_name": "Li Na"})
    from crm.automation.delivery import webhook_deliver

    run_jobs("automation.event_process")
    job = waiting("automation.webhook_deliver")[0]
    with pytest.MonkeyPatch.context() as patch:  # the name now resolves to the office network
        patch.setattr("crm.automation.webhooks._resolve", lambda host, port: ["10.0.0.7"])
        assert webhook_deliver(**job.kwargs) == "refused"
    run = RuleRun.objects.get(rule=rule)
    assert run.status == RunStatus.FAILED
    assert "private" in run.error


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hook",
        "https://10.1.2.3/hook",
        "https://192.168.0.10/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/hook",
        "https://localhost/hook",
        "https://db.internal/hook",
    ],
)
def test_local_addresses_are_refused(url: str) -> None:
    with pytest.raises(WebhookRefusedError):
        webhook_url_check(url, resolve=False)


def test_names_resolving_to_private_addresses_are_refused() -> None:
    with pytest.raises(WebhookRefusedError):
        webhook_url_check("https://sneaky.example.com/", resolver=lambda host, port: ["127.0.0.1"])
    webhook_url_check("https://fine.example.com/", resolver=lambda host, port: ["93.184.215.14"])


def test_plain_http_is_refused_in_production_settings() -> None:
    with pytest.raises(WebhookRefusedError):
        webhook_url_check("http://hooks.example.com/", resolve=False)


@override_settings(AUTOMATION_WEBHOOK_ALLOW_PRIVATE=True)
def test_a_development_setting_allows_private_addresses() -> None:
    webhook_url_check("https://127.0.0.1/hook", resolve=False)


def test_signature_is_hmac_sha256_of_the_body() -> None:
    assert signature("s3cret", b'{"a":1}') == (
        "sha256=" + hmac.new(b"s3cret", b'{"a":1}', hashlib.sha256).hexdigest()
    )


@override_settings(AUTOMATION_WEBHOOK_HTTPS_ONLY=False, AUTOMATION_WEBHOOK_ALLOW_PRIVATE=True)
def test_the_call_goes_to_the_address_that_was_checked(receiver, monkeypatch) -> None:
    from crm.automation.webhooks import webhook_post

    url, handler = receiver
    port = url.split(":")[2].split("/")[0]
    looked_up: list[str] = []

    def resolve(host: str, port: int) -> list[str]:
        looked_up.append(host)
        return ["127.0.0.1"]

    monkeypatch.setattr("crm.automation.webhooks._resolve", resolve)
    status = webhook_post(url=f"http://hooks.example.test:{port}/in?x=1", body="{}", secret="s")
    assert status == 200
    assert looked_up == ["hooks.example.test"]  # resolved once, by the check
    headers, _body = handler.received[0]
    assert headers["Host"] == f"hooks.example.test:{port}"


@override_settings(AUTOMATION_WEBHOOK_HTTPS_ONLY=False, AUTOMATION_WEBHOOK_ALLOW_PRIVATE=True)
def test_a_redirect_is_not_followed(receiver) -> None:
    from crm.automation.webhooks import webhook_post

    url, handler = receiver
    handler.status = 302
    with pytest.raises(ConnectionError):
        webhook_post(url=url, body="{}", secret="s")
    assert len(handler.received) == 1
