from django.urls import path

from . import views

app_name = "accounts"

# Organisation pages sit under o/<org_slug>/ (see tenancy.org_view); account pages are the user's own.
urlpatterns = [
    path("o/<slug:org_slug>/teams/", views.team_list, name="teams"),
    path("o/<slug:org_slug>/teams/<int:pk>/delete/", views.team_delete, name="team_delete"),
    path("o/<slug:org_slug>/people/", views.person_list, name="people"),
    path("o/<slug:org_slug>/people/new/", views.person_edit, name="person_new"),
    path("o/<slug:org_slug>/people/<int:pk>/", views.person_edit, name="person_edit"),
    path("o/<slug:org_slug>/people/<int:pk>/delete/", views.person_delete, name="person_delete"),
    path("o/<slug:org_slug>/members/", views.member_list, name="members"),
    path("o/<slug:org_slug>/organisation/", views.organisation_detail, name="organisation"),
    path("account/tokens/", views.token_list, name="tokens"),
    path("account/tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
]
