"""Every Python snippet the app shows runs, or says what it needs to run.

Each page is opened in its default state and every ``st.code`` element in Python is collected (the
"Show the code" scripts, which the pages' own tests also run in full, and any other snippet).

The convention for a snippet that cannot run here: its first line is ``# needs: <what>``, naming the
package(s) the app does not install and/or the cluster it needs, e.g. ``# needs: ray and a Ray cluster``.
Such a snippet is checked for syntax and for names it uses but never imports or defines (the
``GridSearchCV`` that a snippet used without importing it). Every other snippet must also import: its
import statements run in a fresh interpreter, with deprecations as errors as in pytest.ini (the
``from sklearn.utils import parallel_backend`` that the pinned scikit-learn no longer has).
"""
from __future__ import annotations

import ast
import builtins
import json
import subprocess
import sys

import pytest

from tests.apptest_utils import ALL_PAGES, ROOT, assert_clean, open_page

NEEDS = "# needs:"
# names a script may use without binding them itself
MODULE_NAMES = set(dir(builtins)) | {"__file__", "__name__", "__doc__", "__spec__", "__builtins__"}


def python_snippets(at) -> list[str]:
    return [c.value for c in at.code if c.proto.language == "python"]


def needs(snippet: str) -> str | None:
    """What the snippet's first line says it needs, or None when it should run here."""
    first = snippet.lstrip("\n").splitlines()[0] if snippet.strip() else ""
    return first[len(NEEDS):].strip() if first.startswith(NEEDS) else None


def unbound_names(snippet: str) -> set[str]:
    """Names the snippet reads but never imports, assigns, defines or receives as an argument anywhere.
    Scopes are not told apart (a name bound anywhere counts as bound everywhere), so this misses some
    mistakes but never flags correct code; a star import hides what it binds and is reported as '*'."""
    bound, loaded = set(MODULE_NAMES), set()
    for node in ast.walk(ast.parse(snippet)):
        if isinstance(node, ast.Name):
            (loaded if isinstance(node.ctx, ast.Load) else bound).add(node.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                if alias.name == "*":
                    loaded.add("*")
                else:
                    bound.add(alias.asname or alias.name.split(".")[0])
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            bound.add(node.name)
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            bound.update(node.names)
        elif isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name:
            bound.add(node.name)
        elif isinstance(node, ast.MatchMapping) and node.rest:
            bound.add(node.rest)
    return loaded - bound


def import_lines(snippet: str) -> str:
    """The snippet's import statements (at any depth), as a module of their own."""
    imports = [n for n in ast.walk(ast.parse(snippet)) if isinstance(n, (ast.Import, ast.ImportFrom))]
    return ast.unparse(ast.Module(body=imports, type_ignores=[]))


def failed_imports(modules: list[str]) -> dict[int, str]:
    """Run each module of import statements in one fresh interpreter; {index: error} for those that fail."""
    runner = (
        "import json, sys, traceback\n"
        "failed = {}\n"
        "for i, code in enumerate(json.loads(sys.stdin.read())):\n"
        "    try:\n"
        "        exec(compile(code, f'snippet {i}', 'exec'), {})\n"
        "    except BaseException:\n"
        "        failed[i] = traceback.format_exc(limit=2)\n"
        "print(json.dumps(failed))\n")
    done = subprocess.run([sys.executable, "-W", "error::DeprecationWarning", "-W", "error::FutureWarning",
                           "-W", "error::PendingDeprecationWarning", "-c", runner], input=json.dumps(modules),
                          capture_output=True, text=True, timeout=300, cwd=str(ROOT))
    assert done.returncode == 0, done.stderr[-3000:]
    return {int(k): v for k, v in json.loads(done.stdout.strip().splitlines()[-1]).items()}


@pytest.mark.parametrize("page", ALL_PAGES)
def test_every_python_snippet_compiles_and_imports_or_says_what_it_needs(page):
    at = open_page(page)
    assert_clean(at, page)
    snippets = python_snippets(at)
    problems, runnable = [], []
    for i, snippet in enumerate(snippets):
        try:
            compile(snippet, f"{page} snippet {i}", "exec")
        except SyntaxError as e:
            problems.append(f"snippet {i} does not compile: {e}")
            continue
        missing = unbound_names(snippet)
        if missing:
            problems.append(f"snippet {i} uses names it never imports or defines: {sorted(missing)}")
        if needs(snippet) == "":
            problems.append(f"snippet {i} says '{NEEDS}' without saying what")
        elif needs(snippet) is None:
            runnable.append(i)
    failures = failed_imports([import_lines(snippets[i]) for i in runnable]) if runnable else {}
    problems += [f"snippet {runnable[j]} fails to import:\n{err}" for j, err in failures.items()]
    assert not problems, f"{page}:\n" + "\n".join(problems)


# ---- the checker itself ----

def test_unbound_names_finds_what_a_snippet_forgot_to_import():
    broken = ("from joblib import parallel_backend\n"
              "with parallel_backend('ray'):\n"
              "    GridSearchCV(model, grid, cv=5).fit(X, y)\n")
    assert unbound_names(broken) == {"GridSearchCV", "model", "grid", "X", "y"}
    fine = ("import numpy as np\nimport os.path\nfrom a import b as c\n"
            "def f(x, *args, k=1, **kw):\n    return [x + i for i in range(k)] + [len(args), kw, c, np, os]\n"
            "class K:\n    pass\n"
            "try:\n    f(1)\nexcept ValueError as e:\n    print(e)\n"
            "if (n := 3) > 2:\n    print(n, K, __name__)\n"
            "for a, (b2, c2) in []:\n    print(a, b2, c2)\n"
            "with open(__file__) as fh:\n    lam = lambda q: q + 1\n    print(lam(1), fh)\n")
    assert unbound_names(fine) == set()
    assert unbound_names("from numpy import *\nprint(array([1]))") == {"*", "array"}


def test_needs_reads_the_first_line_only():
    assert needs("# needs: ray and a Ray cluster\nimport ray") == "ray and a Ray cluster"
    assert needs("import ray\n# needs: ray") is None
    assert needs("# needs:\nimport ray") == ""


def test_a_failing_import_is_reported_and_a_deprecated_one_too():
    failed = failed_imports(["import json", "from sklearn.utils import parallel_backend", "import no_such_module_x",
                             "import warnings; warnings.warn('old', DeprecationWarning)"])
    assert set(failed) == {1, 2, 3}
    assert "ImportError" in failed[1] and "ModuleNotFoundError" in failed[2] and "DeprecationWarning" in failed[3]
