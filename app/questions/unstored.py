"""What the types whose questions leave no Answer row share (a text block: nothing to answer; an e-mail address:
kept apart from the answers): nothing of theirs is exported, counted in the results or generated for synthetic
responses, and no display condition can read them."""

from app.questions.base import BaseQuestionType


class UnstoredType(BaseQuestionType):
    stores_answers = False

    def operand(self, value):
        return None
