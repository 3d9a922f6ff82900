from app.core.extensions import db
from app.devdata.demo import PROCESS_SLUG
from app.models import Organization, Process, Role, Territory, User
from tests.conftest import count_rows


def test_seed_demo_creates_the_demo_once(app, tmp_path):
    runner = app.test_cli_runner()
    logins = tmp_path / "logins.txt"
    first = runner.invoke(args=["seed-demo", "--logins-file", str(logins)])
    assert first.exit_code == 0, first.output
    assert "9 territories, 15 organizations, 4 users, 1 processes" in first.output
    assert "admin@demo.concerto.quebec" in first.output
    assert len(logins.read_text().splitlines()) == 4
    counts = [count_rows(m) for m in (Territory, Organization, User, Process)]
    assert counts == [9, 15, 4, 1]

    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0 and "nothing new" in second.output
    assert [count_rows(m) for m in (Territory, Organization, User, Process)] == counts

    process = db.session.execute(db.select(Process).filter_by(slug=PROCESS_SLUG)).scalar_one()
    assert process.title_fr == "Planification stratégique concertée 2024-2028"
    assert len(process.territories) == 9 and len(process.phases) == 4


def test_seeded_demo_logins_work(app, client, csrf, tmp_path):
    runner = app.test_cli_runner()
    output = runner.invoke(args=["seed-demo"]).output
    line = next(line for line in output.splitlines() if "animation@demo.concerto.quebec" in line)
    password = line.split()[-1]
    response = client.post(
        "/login", data={"email": "animation@demo.concerto.quebec", "password": password, "csrf_token": csrf()}
    )
    assert response.status_code == 302
    page = client.get(f"/p/{PROCESS_SLUG}").get_data(as_text=True)
    assert "Planification stratégique concertée 2024-2028" in page and "Phase en cours : Consultation" in page


def test_create_user_with_password_option(app):
    result = app.test_cli_runner().invoke(
        args=["create-user", "Chef@Example.org", "--role", "facilitator", "--password", "long-enough-pw"]
    )
    assert result.exit_code == 0, result.output
    user = db.session.execute(db.select(User).filter_by(email="chef@example.org")).scalar_one()
    assert user.role is Role.FACILITATOR and user.check_password("long-enough-pw")


def test_create_user_prompts_for_the_password(app):
    result = app.test_cli_runner().invoke(
        args=["create-user", "admin2@example.org", "--role", "admin"], input="long-enough-pw\nlong-enough-pw\n"
    )
    assert result.exit_code == 0, result.output
    assert db.session.execute(db.select(User).filter_by(email="admin2@example.org")).scalar_one().role is Role.ADMIN


def test_create_user_refuses_duplicates_short_passwords_and_bad_roles(app, create_user):
    create_user(email="taken@example.org")
    runner = app.test_cli_runner()
    duplicate = runner.invoke(args=["create-user", "TAKEN@example.org", "--role", "partner", "--password", "x" * 12])
    assert duplicate.exit_code == 1 and "already uses" in duplicate.output
    short = runner.invoke(args=["create-user", "new@example.org", "--role", "partner", "--password", "short"])
    assert short.exit_code == 2
    bad_role = runner.invoke(args=["create-user", "new@example.org", "--role", "boss", "--password", "x" * 12])
    assert bad_role.exit_code == 2
    assert count_rows(User) == 1
