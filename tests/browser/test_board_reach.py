"""At 1440x900 Won and Lost stay within reach: drop zones for them stay on screen while a card
is dragged, and a keyboard alone moves a card through the same endpoint, lost reason included."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

import pytest
from django_tenants.utils import schema_context

from crm.models import AuditEntry, Deal, Stage, StageKind, StageTransition
from tenants.models import Tenant
from tenants.users.models import Role, User
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.browser

VIEWPORT = {"width": 1440, "height": 900}


@pytest.fixture
def board_user(committed: None) -> Iterator[tuple[str, User]]:
    """A committed rep in alpha (unique per run), removed with their records afterwards."""
    schema = Tenant.objects.get(slug="alpha").schema_name
    with schema_context(schema):
        user = UserFactory.create(
            email=f"reach-{uuid.uuid4().hex[:8]}@alpha.example", role=Role.REP
        )
    yield schema, user
    with schema_context(schema):
        deals = Deal.objects.filter(owner=user)
        AuditEntry.objects.filter(actor=user).delete()
        StageTransition.objects.filter(deal__in=deals).delete()
        deals.delete()
        user.delete()


@pytest.fixture
def wide(page):
    page.set_viewport_size(VIEWPORT)
    return page


def _open_board_with_deal(page, base: str, user: User, title: str, schema: str) -> None:
    with schema_context(schema):
        qualified = Stage.objects.get(pipeline__position=0, name="Qualified")
        Deal.objects.create(
            title=title, pipeline=qualified.pipeline, stage=qualified, owner=user, amount=700
        )
        # Enough open stages that the pipeline is wider than the window, as in real use.
        for position in range(5):
            Stage.objects.get_or_create(
                pipeline=qualified.pipeline,
                name=f"Extra {position}",
                defaults={"position": 4, "kind": StageKind.OPEN},
            )
    page.goto(f"{base}/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/deals/")


@pytest.fixture
def extra_stages_removed(board_user) -> Iterator[None]:
    yield
    schema, _user = board_user
    with schema_context(schema):
        Stage.objects.filter(name__startswith="Extra ", deals__isnull=True).delete()


def _in_viewport(page, locator) -> bool:
    box = locator.bounding_box()
    return (
        box is not None
        and box["width"] > 0
        and box["x"] >= 0
        and box["y"] >= 0
        and box["x"] + box["width"] <= VIEWPORT["width"]
        and box["y"] + box["height"] <= VIEWPORT["height"]
    )


def _start_drag(page, card) -> None:
    box = card.bounding_box()
    page.mouse.move(box["x"] + 30, box["y"] + 15)
    page.mouse.down()
    page.mouse.move(box["x"] + 60, box["y"] + 60, steps=8)


def _finish_drag_on(page, target) -> None:
    box = target.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2, steps=20)
    page.mouse.up()


def test_won_and_lost_columns_are_on_screen_at_1440(
    board_user, extra_stages_removed, live_server_port: int, wide
) -> None:
    """The open stages scroll on their own; Won and Lost are not pushed off the screen."""
    schema, user = board_user
    base = f"http://alpha.localhost:{live_server_port}"
    _open_board_with_deal(wide, base, user, f"Wide {uuid.uuid4().hex[:6]}", schema)
    open_stages = wide.get_by_test_id("board-open")
    assert wide.evaluate("e => e.scrollWidth > e.clientWidth", open_stages.element_handle())
    for name in ("column-won", "column-lost"):
        header = wide.get_by_test_id(name).locator("header")
        assert _in_viewport(wide, header), name
    assert wide.get_by_test_id("column-qualified").bounding_box()["width"] >= 240


def test_drop_zones_stay_visible_while_dragging_and_a_drop_on_won_persists(
    board_user, extra_stages_removed, live_server_port: int, wide
) -> None:
    schema, user = board_user
    base = f"http://alpha.localhost:{live_server_port}"
    title = f"Win me {uuid.uuid4().hex[:6]}"
    _open_board_with_deal(wide, base, user, title, schema)
    # Scrolled to the far end of the open stages, away from where Won and Lost sit.
    wide.get_by_test_id("board-open").evaluate("e => e.scrollLeft = e.scrollWidth")
    card = wide.locator("[data-testid=deal-card]", has_text=title)
    card.scroll_into_view_if_needed()
    assert not wide.get_by_test_id("drop-won").is_visible()

    _start_drag(wide, card)
    won_zone, lost_zone = wide.get_by_test_id("drop-won"), wide.get_by_test_id("drop-lost")
    assert won_zone.is_visible()
    assert lost_zone.is_visible()
    assert _in_viewport(wide, won_zone)
    assert _in_viewport(wide, lost_zone)
    with wide.expect_response(lambda r: "/move/" in r.url and r.request.method == "POST") as moved:
        _finish_drag_on(wide, won_zone)
    assert moved.value.status == 204
    wide.get_by_test_id("column-won").locator("[data-testid=deal-card]", has_text=title).wait_for()
    assert not won_zone.is_visible()

    wide.reload()
    assert (
        wide.get_by_test_id("column-won").locator("[data-testid=deal-card]", has_text=title).count()
        == 1
    )
    with schema_context(schema):
        deal = Deal.objects.get(title=title)
        assert deal.stage.kind == StageKind.WON
        assert deal.won_at is not None


def test_a_drop_on_the_lost_zone_asks_why_and_persists(
    board_user, extra_stages_removed, live_server_port: int, wide
) -> None:
    schema, user = board_user
    base = f"http://alpha.localhost:{live_server_port}"
    title = f"Lose me {uuid.uuid4().hex[:6]}"
    _open_board_with_deal(wide, base, user, title, schema)
    _start_drag(wide, wide.locator("[data-testid=deal-card]", has_text=title))
    _finish_drag_on(wide, wide.get_by_test_id("drop-lost"))
    wide.get_by_label("Why was this deal lost?").fill("Went with a competitor")
    with wide.expect_response(lambda r: "/lost/" in r.url and r.request.method == "POST"):
        wide.get_by_test_id("lost-submit").click()
    wide.get_by_test_id("lost-modal").wait_for(state="detached")
    with schema_context(schema):
        deal = Deal.objects.get(title=title)
        assert (deal.stage.kind, deal.lost_reason) == (StageKind.LOST, "Went with a competitor")


def test_a_keyboard_moves_a_card_and_hears_where_it_went(
    board_user, extra_stages_removed, live_server_port: int, wide
) -> None:
    schema, user = board_user
    base = f"http://alpha.localhost:{live_server_port}"
    title = f"Keys {uuid.uuid4().hex[:6]}"
    _open_board_with_deal(wide, base, user, title, schema)
    card = wide.locator("[data-testid=deal-card]", has_text=title)
    card.focus()
    wide.keyboard.press("Tab")  # the deal's link
    wide.keyboard.press("Tab")  # its Move button
    assert wide.evaluate("document.activeElement.dataset.testid") == "move-button"
    wide.keyboard.press("Enter")
    menu = wide.get_by_test_id("move-menu")
    assert menu.is_visible()
    # The first stage offered is the next one: the card's own stage is not offered.
    assert wide.evaluate("document.activeElement.textContent.trim()") == "Contact made"
    wide.keyboard.press("ArrowDown")
    assert wide.evaluate("document.activeElement.textContent.trim()") == "Proposal"
    with wide.expect_response(lambda r: "/move/" in r.url and r.request.method == "POST") as moved:
        wide.keyboard.press("Enter")
    assert moved.value.status == 204
    proposal = wide.get_by_test_id("column-proposal")
    proposal.locator("[data-testid=deal-card]", has_text=title).wait_for()
    expect_text = f"Moved “{title}” to Proposal."
    wide.wait_for_function(
        "text => document.getElementById('board-status').textContent === text", arg=expect_text
    )
    wide.wait_for_function(
        "t => document.activeElement.getAttribute('aria-label') === t", arg=title
    )

    wide.reload()
    assert proposal.locator("[data-testid=deal-card]", has_text=title).count() == 1
    with schema_context(schema):
        deal = Deal.objects.get(title=title)
        assert deal.stage.name == "Proposal"
        assert StageTransition.objects.filter(deal=deal, to_stage=deal.stage).exists()


def test_a_keyboard_move_to_lost_asks_for_the_reason(
    board_user, extra_stages_removed, live_server_port: int, wide
) -> None:
    schema, user = board_user
    base = f"http://alpha.localhost:{live_server_port}"
    title = f"Keys lost {uuid.uuid4().hex[:6]}"
    _open_board_with_deal(wide, base, user, title, schema)
    wide.locator("[data-testid=deal-card]", has_text=title).focus()
    wide.keyboard.press("Tab")
    wide.keyboard.press("Tab")
    wide.keyboard.press("Enter")
    wide.keyboard.press("End")  # Lost is the last stage
    assert wide.evaluate("document.activeElement.textContent.trim()") == "Lost"
    wide.keyboard.press("Enter")
    reason = wide.get_by_label("Why was this deal lost?")
    reason.wait_for()
    wide.wait_for_function("() => document.activeElement.name === 'lost_reason'")
    wide.keyboard.type("No budget this year")
    with wide.expect_response(lambda r: "/lost/" in r.url and r.request.method == "POST"):
        wide.keyboard.press("Enter")
    wide.get_by_test_id("lost-modal").wait_for(state="detached")
    wide.wait_for_function(
        "text => document.getElementById('board-status').textContent === text",
        arg=f"Moved “{title}” to Lost.",
    )
    with schema_context(schema):
        deal = Deal.objects.get(title=title)
        assert (deal.stage.name, deal.lost_reason) == ("Lost", "No budget this year")
    assert re.search(r"Lost", wide.get_by_test_id("column-lost").inner_text())
