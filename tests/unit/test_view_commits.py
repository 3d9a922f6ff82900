"""The request boundary commits (app/web/boundary.py): no function of a routes module calls ``commit()`` unless it is
marked ``@manages_own_transaction``, and the marked ones are the few its docstring lists. Read from the source
(ast), so that a new ``commit()`` in a view fails here before any request is made."""

import ast
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "app"
MARK = "manages_own_transaction"
# The views that manage their own transaction, and the helpers that commit for them (see app/web/boundary.py).
OPTED_OUT = {
    "respond/views/public.py:save_page",
    "voting/views/partner.py:cast_vote",
    "voting/views/outcome.py:_with_fresh_snapshot",
}


def _decorator_names(function: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
    names = set()
    for decorator in function.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        if isinstance(target, ast.Name):
            names.add(target.id)
        elif isinstance(target, ast.Attribute):
            names.add(target.attr)
    return names


class _Commits(ast.NodeVisitor):
    """Each ``<anything>.commit()`` call, with the innermost function around it (None at module level)."""

    def __init__(self) -> None:
        self.stack: list[ast.FunctionDef | ast.AsyncFunctionDef] = []
        self.found: list[tuple[ast.FunctionDef | ast.AsyncFunctionDef | None, int]] = []
        self.marked: list[ast.FunctionDef | ast.AsyncFunctionDef] = []

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        if MARK in _decorator_names(node):
            self.marked.append(node)
        self.stack.append(node)
        self.generic_visit(node)
        self.stack.pop()

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Call(self, node: ast.Call) -> None:
        if isinstance(node.func, ast.Attribute) and node.func.attr == "commit":
            self.found.append((self.stack[-1] if self.stack else None, node.lineno))
        self.generic_visit(node)


def unmarked_commits(source: str, name: str = "<source>") -> list[str]:
    """``name:line in function`` for every commit() outside a function marked @manages_own_transaction."""
    visitor = _Commits()
    visitor.visit(ast.parse(source))
    return [
        f"{name}:{line} in {function.name if function else '<module>'}"
        for function, line in visitor.found
        if function is None or MARK not in _decorator_names(function)
    ]


def _routes_modules() -> list[Path]:
    """Every module of views: a feature's ``routes.py``, or its ``views/`` package (one module per audience)."""
    return sorted([*APP.rglob("routes.py"), *(p for p in APP.rglob("views/*.py") if p.name != "__init__.py")])


def test_the_check_finds_a_commit_in_an_unmarked_view():
    source = """
@bp.post("/x")
@login_required
def save():
    db.session.commit()

@bp.post("/y")
@manages_own_transaction
def own():
    def inner():
        db.session.commit()  # a nested function needs its own mark
    db.session.commit()

db.session.commit()
"""
    assert unmarked_commits(source) == ["<source>:5 in save", "<source>:11 in inner", "<source>:14 in <module>"]


def test_no_view_commits_unless_it_manages_its_own_transaction():
    modules = _routes_modules()
    assert len(modules) >= 12  # every feature's routes are read
    found = [
        problem
        for path in modules
        for problem in unmarked_commits(path.read_text(encoding="utf-8"), str(path.relative_to(APP)))
    ]
    assert found == [], "commit() in a view: let the request boundary commit (app/web/boundary.py)"


def test_the_views_that_manage_their_own_transaction_are_the_listed_ones():
    marked = set()
    for path in _routes_modules():
        visitor = _Commits()
        visitor.visit(ast.parse(path.read_text(encoding="utf-8")))
        marked |= {f"{path.relative_to(APP)}:{function.name}" for function in visitor.marked}
    assert marked == OPTED_OUT
    docstring = ast.get_docstring(ast.parse((APP / "web" / "boundary.py").read_text(encoding="utf-8")))
    for entry in OPTED_OUT:
        feature, name = entry.split("/")[0], entry.split(":")[1]
        assert f"{feature}.{name}" in docstring, f"list {feature}.{name} in app/web/boundary.py's docstring"
