"""socials (accounts, tokens, the X client) knows nothing of posts: publishing listens to its signals."""

import ast
from pathlib import Path

import socials


def test_no_socials_module_imports_posts():
    root = Path(socials.__file__).parent
    offenders = []
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            offenders += [f"{path.relative_to(root)}: {n}" for n in names if n == "posts" or n.startswith("posts.")]
    assert offenders == []
