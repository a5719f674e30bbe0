from django.urls import reverse

from tests.conftest import PASSWORD


def test_it_logs_in_through_the_form_and_lands_home(client, department_member):
    response = client.post(
        reverse("login"), {"username": "dept_member", "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("home")
    assert response.context["user"] == department_member


def test_it_refuses_a_wrong_password_with_a_message(client, department_member):
    response = client.post(reverse("login"), {"username": "dept_member", "password": "nope"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert not response.context["user"].is_authenticated


def test_it_logs_out_on_post(client, department_member):
    client.force_login(department_member)
    response = client.post(reverse("logout"), follow=True)
    assert not response.context["user"].is_authenticated


def test_password_change_needs_login(client):
    response = client.get(reverse("password_change"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_changes_the_password(client, operator_member):
    client.force_login(operator_member)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "n3w-Secret-pw!",
            "new_password2": "n3w-Secret-pw!",
        },
    )
    assert response.status_code == 302
    operator_member.refresh_from_db()
    assert operator_member.check_password("n3w-Secret-pw!")
