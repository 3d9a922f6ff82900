"""The respondent journey's views, one module per audience: ``public`` (respondents: landing, pages, resume,
invitations), ``preview`` (a facilitator trying the questionnaire) and ``paper`` (a facilitator typing in paper
questionnaires); ``common`` holds what they share. The page-navigation step itself is app/respond/flow.py."""
