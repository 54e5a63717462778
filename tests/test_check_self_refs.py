"""scripts/check-self-refs.py: every reference to our own actions names the released major."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from tests.testbed.monorepo import git

ROOT = Path(__file__).resolve().parent.parent


def load() -> ModuleType:
    name = "check_self_refs"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, ROOT / "scripts/check-self-refs.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # dataclasses look the module up while the class is built
        spec.loader.exec_module(module)
    return sys.modules[name]


csr = load()


@pytest.mark.parametrize(
    ("tag", "prerelease", "expected"),
    [
        ("v1.4.0", False, ("v1.4.0", "v1", True)),
        ("refs/tags/v12.0.3", False, ("v12.0.3", "v12", True)),
        ("v0.9.1", False, ("v0.9.1", "v0", True)),
        ("v2.0.0rc1", False, ("v2.0.0rc1", "v2", False)),
        ("v2.0.0-beta.1", False, ("v2.0.0-beta.1", "v2", False)),
        ("v1.5.0", True, ("v1.5.0", "v1", False)),  # a GitHub pre-release
    ],
)
def test_parse_tag(tag: str, prerelease: bool, expected: tuple[str, str, bool]) -> None:
    release = csr.parse_tag(tag, prerelease=prerelease)
    assert (release.tag, release.major, release.final) == expected


@pytest.mark.parametrize("tag", ["1.4.0", "v1.4", "v01.2.3", "v1", "release-1.4.0", "", "vX.Y.Z"])
def test_parse_tag_rejects(tag: str) -> None:
    with pytest.raises(csr.UsageError, match=r"is not a release tag vN\.x\.y"):
        csr.parse_tag(tag)


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def refs_in(tmp_path: Path, text: str) -> list[tuple[int, str, str]]:
    write(tmp_path, {"README.md": text})
    found = csr.references(tmp_path, [tmp_path / "README.md"])
    return [(r.line, r.uses, r.ref) for r in found]


def test_the_forms_a_reference_takes(tmp_path: Path) -> None:
    text = "\n".join(
        [
            "      - uses: llama-stack/release-actions/actions/compute-version@v1",
            "    uses: 'llama-stack/release-actions/.github/workflows/x.yml@v2' # v2",
            '  uses: "llama-stack/release-actions/actions/a@main"',
            "#       uses: llama-stack/release-actions/.github/workflows/y.yml@v1",
            "Call `uses: llama-stack/release-actions/actions/b@v1`. Then `uses: "
            "llama-stack/release-actions/actions/c@v3`, done.",
            "uses: Llama-Stack/Release-Actions/actions/d@v1",
            "uses: llama-stack/release-actions/actions/e",
            "uses: llama-stack/release-actions/actions/f@0123456789abcdef0123456789abcdef01234567",
            "uses: actions/checkout@v4  # someone else's action",
            "uses: llama-stack/release-actions-fork/actions/g@v9",
            "llama-stack/release-actions/actions/h@v7 is prose, not a uses",
        ]
    )
    assert refs_in(tmp_path, text) == [
        (1, "llama-stack/release-actions/actions/compute-version@v1", "v1"),
        (2, "llama-stack/release-actions/.github/workflows/x.yml@v2", "v2"),
        (3, "llama-stack/release-actions/actions/a@main", "main"),
        (4, "llama-stack/release-actions/.github/workflows/y.yml@v1", "v1"),
        (5, "llama-stack/release-actions/actions/b@v1", "v1"),
        (5, "llama-stack/release-actions/actions/c@v3", "v3"),
        (6, "Llama-Stack/Release-Actions/actions/d@v1", "v1"),
        (7, "llama-stack/release-actions/actions/e", ""),
        (
            8,
            "llama-stack/release-actions/actions/f@0123456789abcdef0123456789abcdef01234567",
            "0123456789abcdef0123456789abcdef01234567",
        ),
    ]


def test_problems_say_what_to_write(tmp_path: Path) -> None:
    text = (
        "uses: llama-stack/release-actions/actions/a@v1\n"
        "uses: llama-stack/release-actions/actions/b@v2\n"
        "uses: llama-stack/release-actions/actions/c\n"
    )
    write(tmp_path, {"README.md": text})
    wrong = csr.problems(csr.references(tmp_path, [tmp_path / "README.md"]), "v2")
    assert [(r.line, why) for r, why in wrong] == [
        (1, "llama-stack/release-actions/actions/a@v1 names @v1, but this release is v2: use @v2"),
        (3, "llama-stack/release-actions/actions/c has no @ref: call our own actions at @v2"),
    ]


TREE = {
    "actions/a/action.yml": "    - uses: llama-stack/release-actions/actions/b@v1\n",
    "actions/a/README.md": "    uses: llama-stack/release-actions/actions/a@v1\n",
    "actions/deep/nested/action.yaml": "    - uses: llama-stack/release-actions/actions/c@v1\n",
    ".github/workflows/w.yml": "        uses: llama-stack/release-actions/actions/a@v1\n",
    ".github/workflows/v.yaml": "# uses: llama-stack/release-actions/.github/workflows/w.yml@v1\n",
    "tests/fixtures/consumer-workflows/c.yml": (
        "    uses: llama-stack/release-actions/.github/workflows/w.yml@v1\n"
    ),
    "README.md": "```yaml\n- uses: llama-stack/release-actions/actions/a@v1\n```\n",
    # Not scanned: history, tests, other folders.
    "CHANGELOG.md": "- uses: llama-stack/release-actions/actions/a@v0\n",
    "tests/test_x.py": "'uses: llama-stack/release-actions/actions/a@v0'\n",
    "docs/old/README.md": "uses: llama-stack/release-actions/actions/a@v0\n",
    ".github/workflows/sub/x.yml": "uses: llama-stack/release-actions/actions/a@v0\n",
}


def test_the_files_checked(tmp_path: Path) -> None:
    write(tmp_path, TREE)
    assert [str(p.relative_to(tmp_path)) for p in csr.files(tmp_path)] == [
        ".github/workflows/v.yaml",
        ".github/workflows/w.yml",
        "README.md",
        "actions/a/README.md",
        "actions/a/action.yml",
        "actions/deep/nested/action.yaml",
        "tests/fixtures/consumer-workflows/c.yml",
    ]


def run_main(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *args: str
) -> tuple[int, dict[str, str], str]:
    outputs, summary = tmp_path / "outputs", tmp_path / "summary.md"
    outputs.write_text("")
    monkeypatch.setenv("GITHUB_OUTPUT", str(outputs))
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    code = csr.main([*args])
    values = dict(line.split("=", 1) for line in outputs.read_text().splitlines())
    return code, values, summary.read_text() if summary.exists() else ""


def test_all_agree(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "repo"
    write(root, TREE)
    code, outputs, summary = run_main(tmp_path, monkeypatch, "--tag", "v1.7.2", "--root", str(root))
    assert code == 0
    assert outputs == {"tag": "v1.7.2", "major": "v1", "sha": "", "move": "true"}
    assert "7 references to llama-stack/release-actions in 7 files; 0 wrong" in (
        capsys.readouterr().out
    )
    assert "expected `@v1`" in summary


def test_a_new_major_with_old_references_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "repo"
    write(root, TREE)
    code, outputs, summary = run_main(tmp_path, monkeypatch, "--tag", "v2.0.0", "--root", str(root))
    assert code == 1
    assert outputs == {}  # no move without a clean check
    out = capsys.readouterr().out
    assert (
        "::error file=actions/a/action.yml,line=1,title=Wrong major in uses::"
        "llama-stack/release-actions/actions/b@v1 names @v1, but this release is v2: use @v2"
    ) in out.splitlines()
    assert out.count("::error ") == 7
    assert "- :x: `README.md:2`: " in summary


def test_a_prerelease_checks_but_does_not_move(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "repo"
    write(root, TREE)
    args = ("--tag", "v1.8.0", "--prerelease", "true", "--root", str(root))
    code, outputs, _ = run_main(tmp_path, monkeypatch, *args)
    assert (code, outputs["move"]) == (0, "false")
    assert (
        "::notice title=Pre-release::v1.8.0 is a pre-release: v1 stays" in capsys.readouterr().out
    )


def test_bad_tag_exits_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, outputs, _ = run_main(tmp_path, monkeypatch, "--tag", "latest", "--root", str(tmp_path))
    assert (code, outputs) == (2, {})
    assert capsys.readouterr().out.startswith("::error title=Not a release of this repository::")


def test_verify_head(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "repo"
    write(root, TREE)
    git(root.parent, "init", "--quiet", "--initial-branch=main", str(root))
    ident = ("-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false")
    git(root, "add", "-A")
    git(root, *ident, "commit", "--quiet", "-m", "one")
    git(root, "tag", "v1.1.0")
    sha = git(root, "rev-parse", "HEAD").stdout.strip()
    args = ("--tag", "v1.1.0", "--root", str(root), "--verify-head")
    code, outputs, _ = run_main(tmp_path, monkeypatch, *args)
    assert (code, outputs["sha"]) == (0, sha)
    git(root, *ident, "commit", "--quiet", "--allow-empty", "-m", "two")
    code, outputs, _ = run_main(tmp_path, monkeypatch, *args)
    assert (code, outputs) == (2, {})
    assert f"not at v1.1.0 ({sha[:12]})" in capsys.readouterr().out
    code, _, _ = run_main(
        tmp_path, monkeypatch, "--tag", "v1.2.0", "--root", str(root), "--verify-head"
    )
    assert code == 2
    assert "tag v1.2.0 is not in the checkout" in capsys.readouterr().out


def test_this_repository_is_consistent_for_its_current_major() -> None:
    """What the self-release workflow checks, for v1 (the major every file names today)."""
    refs = list(csr.references(ROOT, csr.files(ROOT)))
    assert csr.problems(refs, "v1") == []
    checked = {r.path for r in refs}
    assert {".github/workflows/compute-version.yml", "README.md"} <= checked
    workflows = {str(p.relative_to(ROOT)) for p in (ROOT / ".github/workflows").glob("*.yml")}
    actions = {str(p.relative_to(ROOT)) for p in (ROOT / "actions").glob("*/action.yml")}
    assert workflows | actions <= {str(p.relative_to(ROOT)) for p in csr.files(ROOT)}
