"""A rep drags a deal to another stage on the board; the move survives a reload."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

import pytest
from django_tenants.utils import schema_context

from crm.models import AuditEntry, Deal, StageTransition
from tenants.models import Tenant
from tenants.users.models import Role, User
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def board_user(committed: None) -> Iterator[tuple[str, User]]:
    """A committed rep in alpha (unique per run), removed with their records afterwards."""
    schema = Tenant.objects.get(slug="alpha").schema_name
    with schema_context(schema):
        user = UserFactory.create(
            email=f"board-{uuid.uuid4().hex[:8]}@alpha.example", role=Role.REP
        )
    yield schema, user
    with schema_context(schema):
        deals = Deal.objects.filter(owner=user)
        AuditEntry.objects.filter(actor=user).delete()
        StageTransition.objects.filter(deal__in=deals).delete()
        deals.delete()
        user.delete()


def test_dragging_a_deal_to_another_stage_persists(board_user, live_server_port: int, page) -> None:
    schema, user = board_user
    base = f"http://alpha.localhost:{live_server_port}"
    title = f"Drag me {uuid.uuid4().hex[:6]}"

    page.goto(f"{base}/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")

    page.goto(f"{base}/deals/new/")
    page.get_by_label("Title").fill(title)
    page.get_by_label("Amount").fill("1200")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r"/deals/\d+/$"))

    page.goto(f"{base}/deals/")
    card = page.locator("[data-testid=deal-card]", has_text=title)
    qualified = page.get_by_test_id("column-qualified")
    proposal = page.get_by_test_id("column-proposal")
    assert qualified.locator("[data-testid=deal-card]", has_text=title).count() == 1

    with page.expect_response(lambda r: "/move/" in r.url and r.request.method == "POST") as moved:
        card.drag_to(proposal.locator(".crm-board-cards"))
    assert moved.value.status == 204

    page.reload()
    assert proposal.locator("[data-testid=deal-card]", has_text=title).count() == 1
    assert qualified.locator("[data-testid=deal-card]", has_text=title).count() == 0
    with schema_context(schema):
        deal = Deal.objects.get(title=title)
        assert deal.stage.name == "Proposal"
        assert StageTransition.objects.filter(deal=deal, to_stage=deal.stage).exists()


def _sign_in_and_create(page, base: str, user: User, title: str) -> None:
    page.goto(f"{base}/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/deals/new/")
    page.get_by_label("Title").fill(title)
    page.get_by_label("Amount").fill("900")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r"/deals/\d+/$"))
    page.goto(f"{base}/deals/")
    # Columns wrap so that Lost (the last one) is on screen next to the card, without
    # scrolling the board sideways in the middle of the drag.
    page.add_style_tag(content=".crm-board { flex-wrap: wrap; }")


def _drag(page, card, target) -> None:
    """Drag with small mouse steps, as a hand does (a far drop in one jump is missed)."""
    card.scroll_into_view_if_needed()
    start = card.bounding_box()
    page.mouse.move(start["x"] + 20, start["y"] + 20)
    page.mouse.down()
    target.scroll_into_view_if_needed()
    end = target.bounding_box()
    page.mouse.move(end["x"] + 40, end["y"] + 20, steps=20)
    page.mouse.up()


def test_dropping_a_deal_on_lost_asks_for_the_reason(
    board_user, live_server_port: int, page
) -> None:
    schema, user = board_user
    base = f"http://alpha.localhost:{live_server_port}"
    title = f"Lose me {uuid.uuid4().hex[:6]}"
    _sign_in_and_create(page, base, user, title)

    lost = page.get_by_test_id("column-lost")
    _drag(
        page,
        page.locator("[data-testid=deal-card]", has_text=title),
        lost.locator(".crm-board-cards"),
    )
    page.get_by_label("Why was this deal lost?").fill("Budget cut")
    with page.expect_response(lambda r: "/lost/" in r.url and r.request.method == "POST"):
        page.get_by_test_id("lost-submit").click()
    page.get_by_test_id("lost-modal").wait_for(state="detached")

    page.reload()
    assert lost.locator("[data-testid=deal-card]", has_text=title).count() == 1
    with schema_context(schema):
        deal = Deal.objects.get(title=title)
        assert (deal.stage.name, deal.lost_reason) == ("Lost", "Budget cut")


def test_cancelling_the_lost_prompt_puts_the_card_back(
    board_user, live_server_port: int, page
) -> None:
    schema, user = board_user
    base = f"http://alpha.localhost:{live_server_port}"
    title = f"Keep me {uuid.uuid4().hex[:6]}"
    _sign_in_and_create(page, base, user, title)

    qualified = page.get_by_test_id("column-qualified")
    _drag(
        page,
        page.locator("[data-testid=deal-card]", has_text=title),
        page.get_by_test_id("column-lost").locator(".crm-board-cards"),
    )
    page.get_by_test_id("lost-modal").wait_for()
    with page.expect_response(lambda r: "/deals/" in r.url and r.request.method == "GET"):
        page.get_by_test_id("lost-cancel").click()
    qualified.locator("[data-testid=deal-card]", has_text=title).wait_for()
    assert page.get_by_test_id("lost-modal").count() == 0
    with schema_context(schema):
        assert Deal.objects.get(title=title).stage.name == "Qualified"
