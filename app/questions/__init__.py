"""Question types, one class per type (Indico's ``surveys/fields/``): each owns its respondent field and validation,
how its answer is stored and read back, its results and chart, its export columns and codebook rows, its JSON and
XLSForm mapping, what conditions see of its answer, its builder settings and its synthetic answers. The contract is
:class:`app.questions.base.BaseQuestionType`; the registry (:mod:`app.questions.registry`) maps the key stored in
``Question.type`` to its type; each type's template is ``templates/questions/<key>.html``.
"""

from app.questions.base import BaseQuestionType
from app.questions.registry import find_type, question_type, register, registered_types, unregister

__all__ = ["BaseQuestionType", "find_type", "question_type", "register", "registered_types", "unregister"]
