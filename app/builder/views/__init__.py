"""The questionnaire builder's views, all for facilitators, one module per job on the ``builder`` blueprint:
``surveys`` (list, create, settings, status, copy, delete), ``transfer`` (import and export of definitions),
``pages`` and ``questions`` (a survey's structure), ``distribution`` (links, invitations, QR codes, flyer, printed
version) and ``reminders``; ``common`` holds what they share. The work is in the modules beside this package."""

from app.builder.views import distribution, pages, questions, reminders, surveys, transfer  # noqa: F401
