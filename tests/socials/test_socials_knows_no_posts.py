"""socials (accounts, tokens) and platforms/x (the X client) know nothing of posts: publishing
listens to socials' signals."""

import ast
from pathlib import Path

import platforms.x
import socials


def posts_imports(root: Path) -> list[str]:
    offenders = []
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            offenders += [f"{path.relative_to(root)}: {n}" for n in names if n == "posts" or n.startswith("posts.")]
    return offenders


def test_no_socials_module_imports_posts():
    assert posts_imports(Path(socials.__file__).parent) == []


def test_no_x_module_imports_posts():
    assert posts_imports(Path(platforms.x.__file__).parent) == []
