"""Labels as XLSForms write them (app/questions/markup.py): the Markdown subset and ${code}, safely."""

from app.questions.markup import needs_markup, render


def test_markdown_subset_and_piping():
    html = render(
        "Bonjour ${prenom}, **lisez** *bien* _ceci_ [le site](https://exemple.org/a?b=1&c=2)", {"prenom": "Ana"}
    )
    assert html == (
        'Bonjour <span data-pipe="prenom">Ana</span>, <strong>lisez</strong> <em>bien</em> <em>ceci</em> '
        '<a href="https://exemple.org/a?b=1&amp;c=2" rel="noopener noreferrer">le site</a>'
    )


def test_everything_else_is_escaped_and_tags_removed():
    html = render(
        '<span style="color:red">Nom</span> <script>alert(1)</script> [x](javascript:alert(1)) a < b & ${x}\nfin',
        {"x": "<img src=x onerror=alert(1)>"},
    )
    assert "<script" not in html and "<span style" not in html and 'href="javascript' not in html
    assert html == (
        "Nom alert(1) [x](javascript:alert(1)) a &lt; b &amp; "
        '<span data-pipe="x">&lt;img src=x onerror=alert(1)&gt;</span><br>\nfin'
    )


def test_words_with_underscores_and_lone_stars_stay_as_typed():
    assert render("le code_postal et 2 * 3 = 6", {}) == "le code_postal et 2 * 3 = 6"
    assert render("${absent} ans", {}) == '<span data-pipe="absent"></span> ans'
    assert not needs_markup("Une question simple?")
