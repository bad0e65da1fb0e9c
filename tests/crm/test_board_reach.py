"""The board keeps Won and Lost apart from the scrolling open stages, offers every card a
keyboard move, and tells screen readers where a moved card went."""

from __future__ import annotations

import json
import re

from crm.models import Deal
from tests.crm.factories import DealFactory, stage_named


def test_open_stages_and_won_lost_are_separate_regions(crm, rep, client_as) -> None:
    DealFactory.create(owner=rep)
    page = client_as(rep).get("/deals/").content.decode()
    open_part, closed_part = page.split('data-testid="board-closed"')
    assert 'data-testid="column-qualified"' in open_part
    assert 'data-testid="column-won"' not in open_part
    assert 'data-testid="column-won"' in closed_part
    assert 'data-testid="column-lost"' in closed_part


def test_the_board_offers_drop_zones_for_won_and_lost(crm, rep, client_as) -> None:
    page = client_as(rep).get("/deals/").content.decode()
    won, lost = stage_named("Won"), stage_named("Lost")
    assert re.search(
        rf'data-stage="{won.pk}" data-stage-kind="won"[^>]*data-testid="drop-won"', page
    )
    assert re.search(
        rf'data-stage="{lost.pk}" data-stage-kind="lost"[^>]*data-testid="drop-lost"', page
    )


def test_every_card_has_a_move_button_and_the_menu_lists_every_stage(crm, rep, client_as) -> None:
    deal = DealFactory.create(owner=rep, title="Acme renewal")
    page = client_as(rep).get("/deals/").content.decode()
    assert 'aria-label="Move “Acme renewal” to another stage"' in page
    assert f'data-deal="{deal.pk}"' in page
    menu = page[page.index('data-testid="move-menu"') :]
    for stage in deal.pipeline.stages.all():
        assert f'data-move-to="{stage.pk}" data-stage-kind="{stage.kind}"' in menu


def test_a_reader_gets_neither_move_buttons_nor_drop_zones(crm, reader, client_as) -> None:
    DealFactory.create(owner=reader)
    page = client_as(reader).get("/deals/").content.decode()
    assert "data-move-menu" not in page
    assert 'data-testid="drop-bar"' not in page
    assert 'data-can-write="0"' in page


def test_a_move_announces_where_the_card_went(crm, rep, client_as) -> None:
    deal = DealFactory.create(owner=rep, title="Acme 中文")
    proposal = stage_named("Proposal")
    response = client_as(rep).post(
        f"/deals/{deal.pk}/move/", {"stage": proposal.pk}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 204
    header = response["HX-Trigger"]
    assert header.isascii()
    assert json.loads(header) == {
        "board-changed": None,
        "crm-announce": "Moved “Acme 中文” to Proposal.",
    }
    assert Deal.objects.get(pk=deal.pk).stage == proposal


def test_a_lost_move_announces_too(crm, rep, client_as) -> None:
    deal = DealFactory.create(owner=rep, title="Acme")
    lost = stage_named("Lost")
    response = client_as(rep).post(
        f"/deals/{deal.pk}/lost/",
        {"stage": lost.pk, "lost_reason": "Price"},
        HTTP_HX_REQUEST="true",
    )
    assert json.loads(response["HX-Trigger"])["crm-announce"] == "Moved “Acme” to Lost."
