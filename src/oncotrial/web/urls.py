"""URLs of the web application. Every page also answers ``?format=json`` (its JSON twin)."""

from __future__ import annotations

from django.urls import include, path

from oncotrial.web.views import (
    assessments,
    auth,
    casebook,
    ctcae,
    entry,
    errors,
    labs,
    members,
    plan,
    queries,
    randomization,
    results,
    screening,
    static,
    subjects,
    trials,
)

T = "t/<str:trial_id>/"
S = T + "subjects/<str:usubjid>/"

_patterns = [
    path("login/", auth.login_view, name="login"),
    path("logout/", auth.logout_view, name="logout"),
    path("account/password/", auth.password_view, name="password"),
    path("account/locks/", auth.locks_view, name="locks"),
    path("static/<path:path>", static.static_file, name="static"),
    path("", trials.home, name="home"),
    path("trials/import/", trials.import_view, name="import"),
    path("ctcae/terms/", ctcae.term_suggestions, name="ctcae_terms"),
    path("ctcae/grades/", ctcae.grade_definitions, name="ctcae_grades"),
    path(T, trials.trial_page, name="trial"),
    path(T + "plan/", plan.plan_page, name="plan"),
    path(T + "subjects/", subjects.subject_list, name="subjects"),
    path(T + "visits/", subjects.trial_visits, name="visits"),
    path(T + "casebooks/", casebook.casebooks_page, name="casebooks"),
    path(T + "randomization/", randomization.randomization_page, name="randomization"),
    path(T + "randomization/generate/", randomization.generate_list, name="generate_list"),
    path(T + "randomization/import/", randomization.import_list, name="import_list"),
    path(T + "randomization/list/", randomization.allocation_list, name="allocation_list"),
    path(
        T + "randomization/list.csv",
        randomization.allocation_list_csv,
        name="allocation_list_csv",
    ),
    path(T + "screening/", screening.screening_page, name="screening"),
    path(T + "screening/<str:usubjid>/", screening.screening_subject, name="screening_subject"),
    path(T + "queries/", queries.query_list, name="queries"),
    path(T + "queries/new/", queries.query_new, name="query_new"),
    path(T + "queries/<int:pk>/", queries.query_detail, name="query"),
    path(T + "team/", members.members_page, name="members"),
    path(T + "results/", results.results_page, name="results"),
    path(T + "results/sdtm-<str:fmt>.zip", results.sdtm_download, name="sdtm_download"),
    path(T + "results/build/", results.report_build, name="report_build"),
    path(
        T + "results/<int:pk>/figures/<str:figure>.png",
        results.report_figure,
        name="report_figure",
    ),
    path(T + "results/<int:pk>/<path:name>", results.report_file, name="report_file"),
    path(S, subjects.subject_detail, name="subject"),
    path(S + "randomize/", randomization.randomize_subject, name="randomize"),
    path(S + "casebook/", casebook.casebook_page, name="casebook"),
    path(S + "casebook/sign/", casebook.sign_page, name="casebook_sign"),
    path(S + "assessments/new/", assessments.assessment_new, name="assessment_new"),
    path(S + "assessments/preview/", assessments.assessment_preview, name="assessment_preview"),
    path(S + "assessments/<int:pk>/", assessments.assessment_detail, name="assessment"),
    path(S + "labs/panel/", labs.lab_panel, name="lab_panel"),
    path(S + "labs/grade/", labs.lab_grade, name="lab_grade"),
    path(S + "<str:entity>/new/", entry.record_new, name="record_new"),
    path(S + "<str:entity>/<int:pk>/", entry.record_edit, name="record_edit"),
    path(S + "<str:entity>/<int:pk>/history/", entry.record_history, name="record_history"),
]

urlpatterns = [path("", include((_patterns, "web"), namespace="web"))]

handler403 = errors.forbidden
handler404 = errors.not_found
handler500 = errors.server_error
