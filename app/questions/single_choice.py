"""Single choice: one option among the question's choices (radios or a drop-down list), optionally "other, please
specify"; ``select_one list_name [or_other]`` in XLSForm."""

from flask_babel import lazy_gettext as _l

from app.models import QuestionType
from app.questions.base import Column, SettingKind, text_of
from app.questions.choices import FILTER_SETTINGS, OTHER_FIELD, OTHER_LABEL, DisplayMixin, OtherChoiceType
from app.questions.fields import other_code


class SingleChoiceType(DisplayMixin, OtherChoiceType):
    key = QuestionType.SINGLE_CHOICE
    label = _l("Single choice")
    min_choices = 1  # XLSForms ask for a confirmation with a list of one choice
    free_codes = True
    settings = {"display": SettingKind.DISPLAY, "other": SettingKind.BOOL, **FILTER_SETTINGS}
    settings_fields = {**DisplayMixin.display_settings_fields, "other": OTHER_FIELD}
    xlsform_types = ("select_one",)
    xlsform_order = 10

    def field_options(self, question, language, territories):
        return {**super().field_options(question, language, territories), "dropdown": self.dropdown(question)}

    def xlsform_settings(self, row, question, *, other):
        super().xlsform_settings(row, question, other=other)
        self.display_from_xlsform(row, question)
        return True

    def settings_from_form(self, form):
        return {"display": form.display.data or "radios", "other": form.other.data}

    def read_value(self, question, rows, lookup):
        values = {}
        chosen = self.chosen_codes(question, rows, lookup, values)
        if chosen:
            values[question.code] = chosen[-1]
        return values

    def export_columns(self, question, layout):
        qid, labels, language = question.id, layout.labels, layout.language
        other = other_code(question) if question.setting("other") else None

        def single(a):
            for row in a.get(qid, ()):
                if row.is_other:
                    return OTHER_LABEL[language] if labels else other
                return layout.value_of(row.choice_id)
            return None

        return [Column(question.code, text_of(question, language), single), *self.other_column(question, layout)]

    def exported_choice(self, chosen):
        return chosen[0]

    def synthetic_value(self, question, plan, english, values):
        if self.synthetic_other(question, plan, english, values):
            return plan.others[question.id]
        options = plan.options[question.id]
        return plan.rng.choices(options, plan.weights[question.id])[0][0] if options else None
