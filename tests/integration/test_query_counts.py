"""No N+1 queries: the number of SQL statements of a page does not grow with the rows it lists."""

import pytest

from app.models import Role


def _queries(client, count_queries, url: str) -> int:
    with count_queries() as counted:
        assert client.get(url).status_code == 200
    return counted.count


@pytest.mark.parametrize("url", ["/admin/users", "/admin/organizations", "/admin/audit", "/admin/processes", "/"])
def test_admin_lists_run_a_constant_number_of_queries(
    client, auth, count_queries, create_user, create_organization, create_territory, create_process, url
):
    auth.login(Role.ADMIN)

    def add_rows(n: int) -> None:
        for _ in range(n):
            territory = create_territory()
            organization = create_organization(territory=territory)
            create_user(Role.PARTNER, organization=organization)
            create_process(territories=[territory])

    add_rows(2)
    few = _queries(client, count_queries, url)
    add_rows(12)
    many = _queries(client, count_queries, url)
    assert many == few, f"{url}: {few} queries with few rows, {many} with more"
