"""The voting views on the ``voting`` blueprint, one module per audience: ``partner`` (voters: their ballots,
voting), ``outcome`` (voters and facilitators: results and the list of counted ballots with its receipt check),
``facilitator`` (ballots of a process, one ballot's page and status), ``ballot_form`` (facilitators preparing a
draft ballot) and ``files`` (facilitators: CSV exports and paper ballots); ``common`` holds what they share.

The work is in the modules beside this package (ballots.py, casting.py, overview.py, results.py, paper_ballots.py,
export.py). A ballot past its closing time is closed for every page: a GET sees it so without writing
(``ballots.as_seen``), and the next action on it (a POST) stores the close and seals its casts
(``ballots.close_if_due``), as does ``flask close-due-ballots``. Nothing here logs who voted what."""

from app.voting.views import ballot_form, facilitator, files, outcome, partner  # noqa: F401
