import pytest
from django.urls import reverse


def _links(response) -> set[str]:
    return {link.url for link in response.context["navigation"]}


def _actions(response) -> set[str]:
    return {link.url for link in response.context["actions"]}


def test_anonymous_home_offers_login(client, db):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert _actions(response) == {reverse("login")}
    assert reverse("admin:index") not in _links(response)


def test_bureau_staff_get_the_admin(client, reviewer):
    client.force_login(reviewer)
    response = client.get(reverse("home"))
    assert reverse("admin:index") in _links(response)
    assert reverse("admin:organisations_operator_changelist") in _actions(response)
    assert reverse("organisation") not in _links(response)


@pytest.mark.parametrize("persona", ["department_member", "operator_admin"])
def test_organisation_members_get_their_organisation(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(reverse("home"))
    assert reverse("organisation") in _links(response)
    assert reverse("admin:index") not in _links(response)


def test_every_home_action_link_opens(client, reviewer, department_member, operator_admin):
    for user in (reviewer, department_member, operator_admin):
        client.force_login(user)
        for url in _actions(client.get(reverse("home"))):
            assert client.get(url, follow=True).status_code == 200, (user, url)


def test_organisation_page_lists_only_own_members(
    client, department_member, department_admin, other_department_member
):
    client.force_login(department_member)
    response = client.get(reverse("organisation"))
    assert set(response.context["members"]) == {department_member, department_admin}


def test_organisation_page_is_refused_to_users_without_one(client, outsider, reviewer):
    for user in (outsider, reviewer):
        client.force_login(user)
        assert client.get(reverse("organisation")).status_code == 403


def test_organisation_page_needs_login(client, db):
    assert client.get(reverse("organisation")).status_code == 302


def test_language_switch_changes_the_page_language(client, department_member):
    client.force_login(department_member)
    assert "首页" in client.get(reverse("home")).text
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"}, follow=True)
    assert response.status_code == 200
    assert "Next actions" in response.text
    assert "首页" not in response.text
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    assert "待办事项" in client.get(reverse("home")).text


def test_home_runs_a_constant_number_of_queries(
    client, department_member, django_assert_max_num_queries
):
    client.force_login(department_member)
    client.get(reverse("home"))  # the key figures are cached for a few minutes
    # The page itself, one query per work queue (a member has three: returned entries, refused
    # uploads, uploads awaiting confirmation), the latest published entries and the header's
    # unread notifications.
    with django_assert_max_num_queries(4 + 3 + 1 + 1):
        client.get(reverse("home"))


def test_pages_carry_a_content_security_policy(client, db):
    response = client.get(reverse("home"))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in policy
    assert "onchange=" not in response.text  # no inline handlers the policy would block


def test_every_navigation_link_opens_for_its_role(
    client, reviewer, department_member, operator_admin
):
    for user in (reviewer, department_member, operator_admin):
        client.force_login(user)
        for url in _links(client.get(reverse("home"))):
            assert client.get(url, follow=True).status_code == 200, (user, url)


def test_the_page_title_is_the_pages_name_alone(client, operator_member):
    client.force_login(operator_member)
    page = client.get(reverse("home")).content.decode()
    title = page.split("<title>", 1)[1].split("</title>", 1)[0]
    assert "<" not in title and title.startswith("首页")
