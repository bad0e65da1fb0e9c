"""URLs of the guided start, the implementation coach and adoption on a workspace host."""

from django.urls import path

from onboarding import return_views, views

urlpatterns = [
    path("start/", views.guided_start, name="guided_start"),
    path("start/profile/", views.guided_profile, name="guided_profile"),
    path("start/readiness/", views.guided_readiness, name="guided_readiness"),
    path("start/process/", views.guided_process, name="guided_process"),
    path("start/data/", views.guided_data, name="guided_data"),
    path("start/data/sample/", views.guided_sample_add, name="guided_sample_add"),
    path("start/data/sample/remove/", views.guided_sample_remove, name="guided_sample_remove"),
    path("start/team/", views.guided_team, name="guided_team"),
    path("start/first-steps/", views.first_steps, name="guided_first_steps"),
    path("start/first-steps/dismiss/", views.first_steps_dismiss, name="first_steps_dismiss"),
    path("start/skip/", views.guided_skip, name="guided_skip"),
    path("start/dismiss/", views.guided_dismiss, name="guided_dismiss"),
    path("start/reopen/", views.guided_reopen, name="guided_reopen"),
    path("coach/", views.coach, name="coach"),
    path("coach/plan/", views.coach_plan, name="coach_plan"),
    path("coach/baseline/", views.coach_baseline, name="coach_baseline"),
    path("settings/adoption/", views.adoption, name="adoption"),
    path("insights/return/", return_views.insights_return, name="insights_return"),
]
