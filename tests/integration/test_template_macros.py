"""The shared template macros (templates/macros/) keep what every page relies on: a table scrolls in its own box
under its caption with scoped headers and says when it is empty; a lone POST button is a form with the CSRF token
and names its object for screen readers; an error summary links each problem to its field."""

import re

from flask import render_template_string
from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField
from wtforms.validators import DataRequired

TABLE = """{% from "macros/tables.html" import data_table %}
{% set columns = ["Name", ("Count", "num"), ("Select", "hidden")] %}
{% call(row) data_table(rows, columns, caption="People", empty="Nobody yet.") %}
<tr><td>{{ row.name }}</td><td class="num">{{ row.count }}</td><td></td></tr>
{% endcall %}"""


def squeeze(html: str) -> str:
    return re.sub(r">\s+<", "><", " ".join(html.split()))


def test_data_table_has_its_scroll_box_caption_scoped_headers_and_rows(app):
    with app.test_request_context():
        html = squeeze(render_template_string(TABLE, rows=[{"name": "Ana", "count": 3}]))
    assert html.startswith('<div class="table-scroll"><table><caption>People</caption>')
    assert (
        '<thead><tr><th scope="col">Name</th><th scope="col" class="num">Count</th>'
        '<th scope="col"><span class="visually-hidden">Select</span></th></tr></thead>'
    ) in html
    assert '<tbody><tr><td>Ana</td><td class="num">3</td><td></td></tr></tbody>' in html
    assert "Nobody yet." not in html


def test_empty_data_table_says_so_across_every_column(app):
    with app.test_request_context():
        html = squeeze(render_template_string(TABLE, rows=[]))
    assert '<tbody><tr><td colspan="3">Nobody yet.</td></tr></tbody>' in html


def test_post_button_is_a_form_with_the_csrf_token_and_names_its_object(app):
    template = """{% from "macros/buttons.html" import post_button %}
    {{ post_button("/pages/3/delete", "Delete", "button danger", what="page 3",
                   hidden={"version": 7, "item": [1, 2]}) }}"""
    with app.test_request_context():
        html = squeeze(render_template_string(template))
    form = re.fullmatch(r'<form method="post" action="/pages/3/delete" class="inline">(.*)</form>', html)
    assert form, html
    inside = form.group(1)
    assert re.search(r'<input type="hidden" name="csrf_token" value="[^"]+">', inside)
    assert re.findall(r'name="(version|item)" value="(\d)"', inside) == [("version", "7"), ("item", "1"), ("item", "2")]
    assert inside.endswith(
        '<button type="submit" class="button danger">Delete<span class="visually-hidden"> — page 3</span></button>'
    )


class _NameForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(message="Give a name.")])
    submit = SubmitField("Save")


def test_simple_form_sums_up_its_errors_and_links_each_to_its_field(app):
    template = """{% from "macros/forms.html" import simple_form %}{{ simple_form(form, ["name"], action="/save") }}"""
    with app.test_request_context(method="POST", data={"name": ""}):
        form = _NameForm(meta={"csrf": False})
        assert not form.validate()
        html = squeeze(render_template_string(template, form=form))
    summary, rest = html.split("</div>", 1)
    assert 'class="error-summary" role="alert" aria-labelledby="error-summary-title"' in summary
    assert '<li><a href="#name">Name — Give a name.</a></li>' in summary
    assert rest.lstrip().startswith('<form method="post" action="/save" novalidate>')
    assert 'aria-invalid="true"' in rest and 'aria-describedby="name-error"' in rest
    assert re.search(r'<input[^>]*type="submit" value="Save"[^>]*>', rest).group(0).count('class="button primary"') == 1


def test_a_field_with_nothing_to_describe_it_has_no_aria_describedby(app, client):
    """Issue 16: ``aria-describedby="None"`` pointed at an element that does not exist, on every plain field."""
    template = """{% from "macros/forms.html" import render_field %}{{ render_field(form.name) }}"""
    with app.test_request_context():
        html = render_template_string(template, form=_NameForm(meta={"csrf": False}))
    assert "aria-describedby" not in html
    assert '<input id="name" name="name" required type="text" value="">' in html
    for path in ("/login", "/password/forgot"):
        page = client.get(path).get_data(as_text=True)
        assert 'aria-describedby="None"' not in page, path
