"""Paper ballots (all or nothing, per-row errors in the person's language) and CSV exports (recountable with
``flask tally``, UTF-8 with BOM, formula-like cells neutralized)."""

import io
import json

import pytest
import sqlalchemy as sa

from app.core.extensions import db
from app.models import AuditLog, BallotStatus, Cast, CastSource, PaperImport, Role, VotingMethod
from app.voting import ballots as domain
from app.voting.ballot_csv import parse_ballot_csv
from app.voting.results import compute_results
from app.voting.tally import tally
from app.voting.views import files as voting_files
from tests.conftest import count_rows
from tests.integration.voting_helpers import RECEIPT, create_ballot, option_ids

__all__ = ["create_ballot"]

LABELS = ["Littératie familiale", "Transition scolaire", "Conciliation études-travail"]


def upload(client, csrf, ballot, content: bytes | str, filename="assemblee.csv", **fields):
    if isinstance(content, str):
        content = content.encode("utf-8")
    url = f"/manage/ballots/{ballot.id}/paper"
    return client.post(
        url,
        data={"file": (io.BytesIO(content), filename), "csrf_token": csrf(url), **fields},
        content_type="multipart/form-data",
    )


def paper_casts(ballot):
    return db.session.execute(sa.select(Cast).filter_by(ballot_id=ballot.id, source=CastSource.PAPER)).scalars().all()


# --- paper import ------------------------------------------------------------------------------------------


def test_importing_paper_ballots_adds_them_to_the_count(client, auth, csrf, create_ballot):
    ballot = create_ballot(method=VotingMethod.RANKING, status=BallotStatus.CLOSED)
    a, b, c = (str(i) for i in option_ids(ballot))
    auth.login(Role.FACILITATOR)
    content = "\ufeff" + ";".join(LABELS) + "\r\n1;2;\r\n;1;2\r\n2;1;3\r\n"
    response = upload(client, csrf, ballot, content)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "3 bulletins papier importés; ils sont comptés avec les votes en ligne." in page
    assert "3 bulletins tirés de « assemblee.csv »" in page

    casts = paper_casts(ballot)
    assert sorted(map(str, (c_.contents for c_ in casts))) == sorted(
        map(str, [{a: 1, b: 2}, {b: 1, c: 2}, {a: 2, b: 1, c: 3}])
    )
    assert all(RECEIPT.fullmatch(c_.receipt) for c_ in casts)
    assert {(c_.pseudonym, c_.user_id, c_.sector, c_.territory_id) for c_ in casts} == {(None, None, None, None)}
    with client.application.test_request_context():
        assert compute_results(ballot).counted == 3
    record = db.session.execute(sa.select(PaperImport)).scalar_one()
    assert record.ballot_count == 3 and record.filename == "assemblee.csv"
    assert (
        db.session.execute(sa.select(AuditLog).filter_by(action="ballot.import_paper")).scalar_one().details["ballots"]
        == 3
    )


def test_a_single_wrong_row_imports_nothing_and_every_error_is_listed(client, auth, csrf, create_ballot):
    ballot = create_ballot(method=VotingMethod.RANKING)
    auth.login(Role.FACILITATOR)
    content = ",".join(LABELS) + "\n1,2,\n1,1,2\n,x,\n1,2,3,4\n"
    response = upload(client, csrf, ballot, content)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Le fichier contient des erreurs; aucun bulletin n’a été importé." in page
    assert "Le rang 1 est donné à la fois à Littératie familiale et à Transition scolaire." in page
    assert "Attendu : un nombre entier, et non « x »." in page
    assert "La ligne a 4 cellules au lieu de 3." in page
    assert '<td class="num">3</td>' in page and '<td class="num">4</td>' in page and '<td class="num">5</td>' in page
    assert count_rows(Cast) == 0 and count_rows(PaperImport) == 0


def test_header_must_name_the_ballot_options(client, auth, csrf, create_ballot):
    ballot = create_ballot(method=VotingMethod.APPROVAL)
    auth.login(Role.FACILITATOR)
    response = upload(client, csrf, ballot, "Littératie familiale,Autre chose\n1,0\n")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Aucune option de ce scrutin ne porte le nom de cette colonne." in page
    assert "L’option « Transition scolaire » n’a pas de colonne." in page
    assert count_rows(Cast) == 0


def test_english_headers_and_any_case_are_accepted(client, auth, csrf, create_ballot):
    ballot = create_ballot(method=VotingMethod.APPROVAL)
    auth.login(Role.FACILITATOR)
    content = "TRANSITION SCOLAIRE (EN),littératie familiale (en),Conciliation études-travail\n1,,0\n1,1,\n"
    assert upload(client, csrf, ballot, content).status_code == 302
    a, b, _c = (str(i) for i in option_ids(ballot))
    assert sorted(str(c.contents) for c in paper_casts(ballot)) == sorted([str({b: 1}), str({a: 1, b: 1})])


def test_the_same_file_is_not_imported_twice(client, auth, csrf, create_ballot):
    ballot = create_ballot(method=VotingMethod.APPROVAL)
    auth.login(Role.FACILITATOR)
    content = ",".join(LABELS) + "\n1,0,0\n"
    assert upload(client, csrf, ballot, content).status_code == 302
    response = upload(client, csrf, ballot, content)
    assert response.status_code == 409
    assert "Ce même fichier a déjà été importé dans ce scrutin (1 bulletins)" in response.get_data(as_text=True)
    assert count_rows(Cast) == 1


def test_import_is_refused_after_publication_and_for_drafts(client, auth, csrf, create_ballot):
    auth.login(Role.FACILITATOR)
    for status in (BallotStatus.PUBLISHED, BallotStatus.DRAFT):
        ballot = create_ballot(method=VotingMethod.APPROVAL, status=status)
        page = client.get(f"/manage/ballots/{ballot.id}/paper").get_data(as_text=True)
        assert "avant la publication des résultats" in page
        response = upload(client, csrf, ballot, ",".join(LABELS) + "\n1,0,0\n")
        assert response.status_code == 409
    assert count_rows(Cast) == 0


# Without the blank ballot "Littératie familiale" wins (median Excellent against Passable); with it (4 ballots,
# lower median) the blank's "À rejeter" pulls it down and "Transition scolaire" wins.
MJ_ROWS = ["5;2;0", "5;2;0", "0;3;0"]


@pytest.mark.parametrize("blank_first", [True, False])
def test_a_blank_paper_ballot_counts_as_reject_wherever_it_is(client, auth, csrf, create_ballot, blank_first):
    ballot = create_ballot(method=VotingMethod.MAJORITY_JUDGMENT, status=BallotStatus.CLOSED)
    auth.login(Role.FACILITATOR)
    rows = [";;", *MJ_ROWS] if blank_first else [*MJ_ROWS, ";;"]
    response = upload(client, csrf, ballot, ";".join(LABELS) + "\r\n" + "\r\n".join(rows) + "\r\n")
    assert response.status_code == 302
    assert len(paper_casts(ballot)) == 4
    with client.application.test_request_context():
        results = compute_results(ballot)
    assert results.counted == 4
    assert list(results.result.winners) == [str(ballot.options[1].key)]


def test_semicolon_file_with_commas_in_option_names(client, auth, csrf, create_ballot):
    labels = ["Parc, phase 2", "Bibliothèque, heures", "Quai"]
    ballot = create_ballot(method=VotingMethod.APPROVAL, options=labels)
    auth.login(Role.FACILITATOR)
    response = upload(client, csrf, ballot, ";".join(labels) + "\r\n1;0;1\r\n0;1;0\r\n")
    assert response.status_code == 302
    assert len(paper_casts(ballot)) == 2


def test_tab_separated_file_is_imported(client, auth, csrf, create_ballot):
    ballot = create_ballot(method=VotingMethod.APPROVAL)
    auth.login(Role.FACILITATOR)
    response = upload(client, csrf, ballot, "\t".join(LABELS) + "\n1\t0\t1\n")
    assert response.status_code == 302
    assert len(paper_casts(ballot)) == 1


def test_unclosed_quote_names_its_row_and_column(client, auth, csrf, create_ballot):
    ballot = create_ballot(method=VotingMethod.APPROVAL)
    auth.login(Role.FACILITATOR)
    response = upload(client, csrf, ballot, ",".join(LABELS) + '\n1,0,1\n1,"0,1\n0,0,1\n')
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert '<td class="num">3</td><td>Transition scolaire</td>' in page
    assert "Cette cellule ouvre un guillemet qui n’est jamais fermé" in page
    assert count_rows(Cast) == 0


def test_windows_1252_file_is_refused_with_the_fix_then_read_when_chosen(client, auth, csrf, create_ballot):
    ballot = create_ballot(method=VotingMethod.APPROVAL)
    auth.login(Role.FACILITATOR)
    content = (";".join(LABELS) + "\r\n1;0;1\r\n0;1;0\r\n").encode("cp1252")
    response = upload(client, csrf, ballot, content)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert '<td class="num">1</td><td>A</td>' in page
    assert "Enregistrez-le en « CSV UTF-8 », ou lisez-le en Windows-1252" in page
    assert 'name="encoding"' in page
    assert count_rows(Cast) == 0
    response = upload(client, csrf, ballot, content, encoding="windows-1252")
    assert response.status_code == 302
    assert len(paper_casts(ballot)) == 2


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"Litt\xe9ratie familiale,Transition scolaire\n1,0\n", "Le fichier n’est pas en UTF-8"),
        (",".join(LABELS) + "\n", "Le fichier ne contient aucun bulletin : ajoutez une ligne par bulletin papier."),
        ("", "Le fichier est vide."),
        (",".join(LABELS) + "\n1,1,1\n", "Au plus 2 options peuvent être choisies; 3 le sont."),
    ],
)
def test_bad_files_are_explained(client, auth, csrf, create_ballot, content, message):
    ballot = create_ballot(method=VotingMethod.APPROVAL)
    auth.login(Role.FACILITATOR)
    response = upload(client, csrf, ballot, content)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert count_rows(Cast) == 0


def test_a_file_too_large_is_refused(client, auth, csrf, create_ballot, monkeypatch):
    monkeypatch.setattr(voting_files, "PAPER_MAX_BYTES", 100 * 1024)
    ballot = create_ballot(method=VotingMethod.APPROVAL)
    auth.login(Role.FACILITATOR)
    assert "Au plus 0,1 Mo." in client.get(f"/manage/ballots/{ballot.id}/paper").get_data(as_text=True)
    response = upload(client, csrf, ballot, ",".join(LABELS) + "\n" + "1,0,0\n" * 20_000)
    assert response.status_code == 413
    assert "Le fichier dépasse 0,1 Mo." in response.get_data(as_text=True)
    assert count_rows(Cast) == 0


def test_missing_file_is_a_form_error(client, auth, csrf, create_ballot):
    ballot = create_ballot(method=VotingMethod.APPROVAL)
    auth.login(Role.FACILITATOR)
    url = f"/manage/ballots/{ballot.id}/paper"
    response = client.post(url, data={"csrf_token": csrf(url)})
    assert response.status_code == 422 and "Choisissez un fichier CSV." in response.get_data(as_text=True)


def test_errors_in_english_for_an_english_speaker(client, auth, csrf, create_ballot, create_user):
    ballot = create_ballot(method=VotingMethod.RANKING)
    auth.login(create_user(Role.FACILITATOR, locale="en"))
    response = upload(client, csrf, ballot, ",".join(LABELS) + "\n1,1,\n")
    assert "Rank 1 is given to both" in response.get_data(as_text=True)


# --- exports -----------------------------------------------------------------------------------------------


def _voted_and_closed(app, create_ballot, create_user, method, choices_list, options=None):
    ballot = create_ballot(
        method=method, options=options, settings={"budget": 10} if method is VotingMethod.POINTS else None
    )
    ids = option_ids(ballot)
    with app.test_request_context():
        for choices in choices_list:
            domain.cast_vote(ballot, create_user(password=None), {ids[k]: v for k, v in choices.items()})
        domain.close_ballot(create_user(Role.FACILITATOR, password=None), ballot)
    db.session.commit()
    return ballot


@pytest.mark.parametrize(
    ("method", "choices_list"),
    [
        (VotingMethod.RANKING, [{0: 1, 1: 2}, {1: 1}, {2: 1, 0: 2, 1: 3}, {}]),
        (VotingMethod.APPROVAL, [{0: 1}, {0: 1, 2: 1}, {}]),
        (VotingMethod.POINTS, [{0: 4, 1: 6}, {2: 10}]),
        (VotingMethod.MAJORITY_JUDGMENT, [{0: 5, 1: 2, 2: 0}, {0: 3, 1: 3, 2: 1}]),
    ],
)
def test_ballots_csv_recounts_to_the_same_result(app, client, auth, create_ballot, create_user, method, choices_list):
    ballot = _voted_and_closed(app, create_ballot, create_user, method, choices_list)
    auth.login(Role.FACILITATOR)
    response = client.get(f"/manage/ballots/{ballot.id}/export/ballots.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    raw = response.get_data()
    assert raw.startswith("\ufeff".encode())
    text = raw.decode("utf-8")
    assert text.splitlines()[0] == '\ufeff"Littératie familiale","Transition scolaire","Conciliation études-travail"'
    assert len(text.splitlines()) == 1 + len(choices_list)

    tally_method = ballot.tally_method
    names, ballots = parse_ballot_csv(raw, tally_method, grades=6)
    recount = tally(tally_method, names, ballots)
    with app.test_request_context():
        online = compute_results(ballot)
    label = {str(o.id): o.label_fr for o in ballot.options}
    assert [[label[k] for k in group] for group in online.result.ranking] == recount.ranking
    assert {label[k]: v for k, v in online.result.scores.items()} == recount.scores

    runner = app.test_cli_runner()
    path = app.instance_path + f"/export-{ballot.id}.csv"
    with open(path, "wb") as handle:
        handle.write(raw)
    result = runner.invoke(args=["tally", "--method", tally_method, "--input", path, "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["ballots"] == len(choices_list)


def test_exported_ballots_reimport_as_paper_ballots(app, client, auth, csrf, create_ballot, create_user):
    ballot = _voted_and_closed(app, create_ballot, create_user, VotingMethod.RANKING, [{0: 1, 1: 2}, {2: 1}])
    twin = create_ballot(method=VotingMethod.RANKING)
    auth.login(Role.FACILITATOR)
    exported = client.get(f"/manage/ballots/{ballot.id}/export/ballots.csv").get_data()
    assert upload(client, csrf, twin, exported).status_code == 302
    assert len(paper_casts(twin)) == 2


def test_export_contains_no_receipt_and_no_group(app, client, auth, create_ballot, create_user):
    ballot = _voted_and_closed(app, create_ballot, create_user, VotingMethod.APPROVAL, [{0: 1}])
    auth.login(Role.FACILITATOR)
    text = client.get(f"/manage/ballots/{ballot.id}/export/ballots.csv").get_data(as_text=True)
    receipt = db.session.execute(sa.select(Cast.receipt)).scalar_one()
    assert receipt not in text
    assert text.splitlines()[1] == '"1","0","0"'


def test_formula_like_labels_are_neutralized(app, client, auth, csrf, create_ballot, create_user):
    options = ["=HYPERLINK(1)", "+Budget", "@Somme"]
    ballot = _voted_and_closed(app, create_ballot, create_user, VotingMethod.APPROVAL, [{0: 1}], options=options)
    auth.login(Role.FACILITATOR)
    text = client.get(f"/manage/ballots/{ballot.id}/export/ballots.csv").get_data(as_text=True)
    assert text.splitlines()[0] == '\ufeff"\'=HYPERLINK(1)","\'+Budget","\'@Somme"'
    results = client.get(f"/manage/ballots/{ballot.id}/export/results.csv").get_data(as_text=True)
    assert '"\'=HYPERLINK(1)"' in results and '"=HYPERLINK' not in results
    # The neutralized names still match the options when the file comes back as paper ballots.
    twin = create_ballot(method=VotingMethod.APPROVAL, options=options)
    assert upload(client, csrf, twin, text.encode("utf-8")).status_code == 302


def test_results_csv(app, client, auth, create_ballot, create_user):
    ballot = _voted_and_closed(
        app, create_ballot, create_user, VotingMethod.MAJORITY_JUDGMENT, [{0: 5, 1: 2, 2: 0}, {0: 4, 1: 2, 2: 1}]
    )
    auth.login(Role.FACILITATOR)
    response = client.get(f"/manage/ballots/{ballot.id}/export/results.csv")
    lines = response.get_data(as_text=True).splitlines()
    assert lines[0] == (
        '\ufeff"Rang","Option","Mention médiane","Excellent","Bien","Assez bien","Passable","Insuffisant",'
        '"À rejeter","Bulletins comptés","Adoptée"'
    )
    assert lines[1] == '"1","Littératie familiale","Bien","1","1","0","0","0","0","2","non"'
    assert lines[3] == '"3","Conciliation études-travail","À rejeter","0","0","0","0","1","1","2","non"'
