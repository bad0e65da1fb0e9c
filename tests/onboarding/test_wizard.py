"""The guided start: shown on the first visit, resumable, every step skippable, each step's
status read from the workspace's data, and a card on the dashboard until done or hidden."""

from __future__ import annotations

import datetime

from django.test import Client

from crm import services as crm
from crm.models import Stage, StageKind
from onboarding.models import GuidedStart, KeyUser, Step
from onboarding.selectors import StepStatus, step_states
from tenants.models import Tenant
from tenants.users.models import Invitation
from tests.conftest import Workspace
from tests.crm.factories import CompanyFactory, DealFactory


def _status(admin, step: Step) -> str:
    start = GuidedStart.objects.get(pk=1)
    assert start is not None
    return next(s.status for s in step_states(start, user=admin) if s.step == step)


# --- Showing it ----------------------------------------------------------------------------------


def test_a_new_workspaces_admin_lands_in_the_guided_start_once_per_sign_in(
    guided, admin_client: Client
) -> None:
    first = admin_client.get("/")
    assert (first.status_code, first["Location"]) == (302, "/start/")
    assert admin_client.get("/start/")["Location"] == "/start/profile/"
    second = admin_client.get("/")
    assert second.status_code == 200
    assert b'data-testid="setup-card"' in second.content


def test_a_workspace_without_a_guided_start_keeps_its_dashboard(in_alpha, admin_client) -> None:
    """Workspaces that existed before the guided start are not interrupted."""
    response = admin_client.get("/")
    assert response.status_code == 200
    assert b"setup-card" not in response.content


def test_a_rep_is_not_sent_to_the_wizard_and_sees_their_first_steps(guided, rep_client) -> None:
    response = rep_client.get("/")
    assert response.status_code == 200
    assert b'data-testid="first-steps-card"' in response.content
    assert b"setup-card" not in response.content


def test_once_something_is_answered_the_dashboard_opens_normally(guided, admin, alpha) -> None:
    from tests.conftest import sign_in

    GuidedStart.objects.filter(pk=1).update(skipped_steps=["profile"], resume_step="readiness")
    client = sign_in(Client(HTTP_HOST=alpha.host), alpha, admin)
    assert client.get("/").status_code == 200


def test_hiding_the_card_keeps_the_wizard_reachable(guided, admin_client) -> None:
    admin_client.get("/")
    response = admin_client.post("/start/dismiss/")
    assert response.status_code == 302
    assert b"setup-card" not in admin_client.get("/").content
    assert admin_client.get("/start/profile/").status_code == 200
    admin_client.post("/start/reopen/")
    assert b"setup-card" in admin_client.get("/").content


def test_the_guided_start_is_for_admins(guided, rep_client) -> None:
    for path in ("/start/", "/start/profile/", "/coach/", "/coach/plan/", "/settings/adoption/"):
        assert rep_client.get(path).status_code == 403, path
    assert rep_client.post("/start/skip/", {"step": "profile"}).status_code == 403


# --- Resume and skip -----------------------------------------------------------------------------


def test_skipping_moves_on_and_continue_resumes_after_it(guided, admin, admin_client) -> None:
    response = admin_client.post("/start/skip/", {"step": "profile"})
    assert response["Location"] == "/start/readiness/"
    assert _status(admin, Step.PROFILE) == StepStatus.SKIPPED
    assert admin_client.get("/start/")["Location"] == "/start/readiness/"
    admin_client.post("/start/skip/", {"step": "readiness"})
    assert admin_client.get("/start/")["Location"] == "/start/process/"


def test_continue_returns_to_the_step_left_open(guided, admin_client) -> None:
    """Leaving the process step without saving brings the admin back to it."""
    admin_client.post("/start/skip/", {"step": "profile"})
    admin_client.post("/start/skip/", {"step": "readiness"})
    admin_client.get("/start/process/")
    assert admin_client.get("/start/")["Location"] == "/start/process/"


def test_with_every_step_done_or_skipped_continue_opens_the_coach(
    guided, admin, admin_client
) -> None:
    for step in Step:
        admin_client.post("/start/skip/", {"step": step.value})
    assert all(
        s.status != StepStatus.TODO for s in step_states(GuidedStart.objects.get(pk=1), user=admin)
    )
    assert admin_client.get("/start/")["Location"] == "/coach/"


def test_a_skipped_step_is_done_once_the_data_says_so(guided, admin, admin_client) -> None:
    admin_client.post("/start/skip/", {"step": "data"})
    assert _status(admin, Step.DATA) == StepStatus.SKIPPED
    CompanyFactory.create(owner=admin)
    assert _status(admin, Step.DATA) == StepStatus.DONE


def test_an_unknown_step_cannot_be_skipped(guided, admin_client) -> None:
    admin_client.post("/start/skip/", {"step": "billing"})
    assert GuidedStart.objects.get(pk=1).skipped_steps == []


# --- Status from data ----------------------------------------------------------------------------


def test_the_process_step_is_done_once_a_stage_is_configured_anywhere(guided, admin) -> None:
    assert _status(admin, Step.PROCESS) == StepStatus.TODO
    stage = crm.first_open_stage(crm.default_pipeline())
    crm.stage_update(stage=stage, by=admin, fields={"probability": 15})
    assert _status(admin, Step.PROCESS) == StepStatus.DONE


def test_the_team_step_is_done_once_someone_is_invited(guided, admin) -> None:
    assert _status(admin, Step.TEAM) == StepStatus.TODO
    Invitation.objects.create(
        email="new@alpha.example",
        token_hash="a" * 64,
        invited_by=admin,
        expires_at=datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=1),
    )
    assert _status(admin, Step.TEAM) == StepStatus.DONE


def test_the_team_step_is_done_when_a_teammate_has_an_account(guided, admin, rep) -> None:
    assert _status(admin, Step.TEAM) == StepStatus.DONE


def test_the_first_steps_step_follows_the_admins_own_checklist(guided, admin) -> None:
    assert _status(admin, Step.FIRST_STEPS) == StepStatus.TODO


# --- The steps -----------------------------------------------------------------------------------


def test_the_profile_sets_the_workspace_locale_and_the_company_profile(
    guided, alpha: Workspace, admin_client
) -> None:
    response = admin_client.post(
        "/start/profile/",
        {
            "industry": "wholesale",
            "headcount": "11-50",
            "country": "HK",
            "time_zone": "Asia/Hong_Kong",
            "currency": "HKD",
            "fiscal_year_start_month": "4",
            "language": "zh-hant",
        },
    )
    assert (response.status_code, response["Location"]) == (302, "/start/readiness/")
    tenant = Tenant.objects.get(pk=alpha.tenant.pk)
    assert (tenant.country, tenant.time_zone, tenant.currency, tenant.language) == (
        "HK",
        "Asia/Hong_Kong",
        "HKD",
        "zh-hant",
    )
    start = GuidedStart.objects.get(pk=1)
    assert (start.industry, start.headcount, start.fiscal_year_start_month) == (
        "wholesale",
        "11-50",
        4,
    )


def test_the_profile_refuses_an_unknown_currency(guided, admin_client) -> None:
    response = admin_client.post(
        "/start/profile/",
        {
            "industry": "retail",
            "headcount": "1-10",
            "country": "CN",
            "time_zone": "Asia/Shanghai",
            "currency": "XXX",
            "fiscal_year_start_month": "1",
            "language": "zh-hans",
        },
    )
    assert response.status_code == 400
    assert GuidedStart.objects.get(pk=1).profile_saved_at is None


def test_readiness_answers_and_key_users_are_saved_and_the_coach_explains(
    guided, alpha: Workspace, admin_client
) -> None:
    Tenant.objects.filter(pk=alpha.tenant.pk).update(country="CN")
    response = admin_client.post(
        "/start/readiness/",
        {
            "goals": ["grow_sales", "keep_customers"],
            "sponsor": "Li Wei, owner",
            "process_written": "no",
            "turnover_peak_month": "3",
            "training_on": "2027-01-25",
            "go_live_on": "2027-03-01",
            "departments-TOTAL_FORMS": "3",
            "departments-INITIAL_FORMS": "0",
            "departments-0-department": "Sales",
            "departments-0-email": "Ada@Alpha.example",
            "departments-0-backup_email": "",
            "departments-1-department": "Service",
            "departments-1-email": "cy@alpha.example",
            "departments-1-backup_email": "di@alpha.example",
            "departments-2-department": "",
        },
    )
    assert (response.status_code, response["Location"]) == (302, "/coach/")
    start = GuidedStart.objects.get(pk=1)
    assert start.goals == ["grow_sales", "keep_customers"]
    assert (start.sponsor, start.process_written, start.go_live_on) == (
        "Li Wei, owner",
        False,
        datetime.date(2027, 3, 1),
    )
    assert list(KeyUser.objects.values_list("department", "email", "backup_email")) == [
        ("Sales", "ada@alpha.example", ""),
        ("Service", "cy@alpha.example", "di@alpha.example"),
    ]
    coach = admin_client.get("/coach/").content.decode()
    for rule in (
        "training_before_long_break",
        "process_not_written",
        "department_without_backup",
        "key_user_turnover_in_rollout",
        "goals_not_measured",
    ):
        assert f'data-rule="{rule}"' in coach, rule
    assert 'data-rule="no_sponsor"' not in coach


def test_a_key_user_needs_a_department_and_a_backup_someone_else(guided, admin_client) -> None:
    response = admin_client.post(
        "/start/readiness/",
        {
            "departments-TOTAL_FORMS": "2",
            "departments-INITIAL_FORMS": "0",
            "departments-0-department": "",
            "departments-0-email": "ada@alpha.example",
            "departments-1-department": "Sales",
            "departments-1-email": "bo@alpha.example",
            "departments-1-backup_email": "bo@alpha.example",
        },
    )
    assert response.status_code == 400
    assert GuidedStart.objects.get(pk=1).readiness_saved_at is None


def _process_post(names_and_kinds: list[tuple[str, str, str, str]], name: str = "Orders") -> dict:
    data = {
        "name": name,
        "stages-TOTAL_FORMS": str(len(names_and_kinds)),
        "stages-INITIAL_FORMS": "0",
    }
    for index, (stage, probability, kind, guidance) in enumerate(names_and_kinds):
        data |= {
            f"stages-{index}-name": stage,
            f"stages-{index}-probability": probability,
            f"stages-{index}-kind": kind,
            f"stages-{index}-guidance": guidance,
            f"stages-{index}-colour": "blue",
        }
    return data


def test_the_process_step_offers_industry_templates_with_entry_criteria(
    guided, admin_client
) -> None:
    page = admin_client.get("/start/process/?template=manufacturing").content.decode()
    assert 'value="Request for quotation"' in page
    assert "Engineering confirmed we can make it, and how." in page
    partial = admin_client.get("/start/process/?template=travel", HTTP_HX_REQUEST="true")
    assert b'id="process-form"' in partial.content
    assert b"<html" not in partial.content
    assert b"Itinerary proposed" in partial.content


def test_an_unknown_template_is_a_bad_query(guided, admin_client) -> None:
    assert admin_client.get("/start/process/?template=banking").status_code == 400


def test_saving_the_process_shapes_the_pipeline_and_the_board_shows_the_criteria(
    guided, admin, admin_client
) -> None:
    response = admin_client.post(
        "/start/process/",
        _process_post(
            [
                ("Inquiry", "10", "open", "A buyer asked about prices."),
                ("Quotation sent", "30", "open", "They have our quotation."),
                ("", "", "open", ""),
                ("Terms agreed", "80", "open", "Payment terms agreed."),
                ("Ordered", "", "won", "The order is confirmed."),
                ("Lost", "", "lost", ""),
            ]
        ),
    )
    assert (response.status_code, response["Location"]) == (302, "/start/data/")
    pipeline = crm.default_pipeline()
    assert pipeline.name == "Orders"
    stages = list(pipeline.stages.order_by("position"))
    assert [(s.name, s.kind, s.probability) for s in stages] == [
        ("Inquiry", "open", 10),
        ("Quotation sent", "open", 30),
        ("Terms agreed", "open", 80),
        ("Ordered", "won", 100),
        ("Lost", "lost", 0),
    ]
    board = admin_client.get("/deals/").content.decode()
    assert 'data-testid="stage-guidance"' in board
    assert "A buyer asked about prices." in board
    assert _status(admin, Step.PROCESS) == StepStatus.DONE


def test_a_stage_holding_deals_is_kept_when_the_template_has_no_place_for_it(
    guided, admin, admin_client
) -> None:
    pipeline = crm.default_pipeline()
    open_stages = list(pipeline.stages.filter(kind=StageKind.OPEN).order_by("position"))
    last = open_stages[-1]
    deal = DealFactory.create(owner=admin, pipeline=pipeline, stage=last)
    admin_client.post(
        "/start/process/",
        _process_post(
            [("Interested", "10", "open", ""), ("Won", "", "won", ""), ("Lost", "", "lost", "")]
        ),
    )
    deal.refresh_from_db()
    assert deal.stage_id == last.pk
    assert Stage.objects.filter(pk=last.pk).exists()
    assert not Stage.objects.filter(pk=open_stages[1].pk).exists()


def test_a_process_without_a_won_stage_is_refused(guided, admin_client) -> None:
    response = admin_client.post(
        "/start/process/",
        _process_post([("Interested", "10", "open", ""), ("Lost", "", "lost", "")]),
    )
    assert response.status_code == 400
    assert crm.default_pipeline().name != "Orders"


def test_the_team_step_invites_through_the_users_service(guided, admin_client) -> None:
    response = admin_client.post("/start/team/", {"email": "Ny@Alpha.example", "role": "rep"})
    assert response.status_code == 302
    assert Invitation.objects.filter(email="ny@alpha.example", role="rep").exists()
    assert GuidedStart.objects.get(pk=1).resume_step == "first_steps"


def test_the_team_step_respects_the_seat_limit(guided, admin_client, monkeypatch) -> None:
    from core import policies
    from core.errors import DomainError
    from core.policies import UnlimitedSeats

    class Full(UnlimitedSeats):
        def ensure_available(self, *, reserve_pending: bool = False) -> None:
            raise DomainError("Your plan has no seat left.")

    monkeypatch.setattr(policies, "_seat_policy", Full())
    response = admin_client.post("/start/team/", {"email": "ny@alpha.example", "role": "rep"})
    assert response.status_code == 400
    assert b"Your plan has no seat left." in response.content
    assert not Invitation.objects.filter(email="ny@alpha.example").exists()


def test_the_plan_is_printable(guided, admin_client) -> None:
    page = admin_client.get("/coach/plan/").content.decode()
    assert "css/plan-print.css" in page
    assert "data-print" in page
    assert page.count("data-phase=") == 6
