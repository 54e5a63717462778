"""Every bad file: one error naming the file and the fix, no traceback, nothing written.

A table of (command family x file fault), each run in a fresh copy of the test bed
(``origin`` fixture: a bare origin holding the monorepo and a clone of it) through
the real CLI entry point as an Actions step runs it. The fault is planted on the
branch the command reads (committed and pushed; the clone then goes back to
``main``), or in the clone's working tree for what is read from there.

Faults: a symlink leading outside the repository, a symlink loop, a dangling
symlink, non-UTF-8 bytes, an unreadable file, malformed TOML or JSON, JSON of the
wrong types, missing or escaping configured paths, and CRLF (which must succeed
with every line end kept).

Each failing case asserts: a nonzero exit that is not the internal-error code, no
traceback, exactly one ``::error`` line and it has a fix, and nothing written: the
refs of the clone and of origin, the clone's ``git status --porcelain``, its
``.git/config`` and, for a symlink, the bytes of the file outside.
"""

from __future__ import annotations

import builtins
import contextlib
import io
import os
import pathlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from release_actions.interface.cli import main
from tests.testbed.origin import Origin
from tests.testbed.registries import PypiIndex

ROOT = "pyproject.toml"
API = "src/llama_stack_api/pyproject.toml"
UI = "src/llama_stack_ui/package.json"
UI_LOCK = "src/llama_stack_ui/package-lock.json"
DEMO = "pkgs/demo"
DEMO_PY = f"{DEMO}/pyproject.toml"
DEMO_VERSION = f"{DEMO}/src/demo/_version.py"
MAIN = "main"
REL = "release-0.7.x"
CLONE = ""  # the fault is made in the clone's working tree, not committed

DEMO_FILES = {
    DEMO_PY: '[project]\nname = "demo"\nversion = "0.1.0"\n',
    DEMO_VERSION: '__version__ = "0.1.0"  # x-release-please-version\n',
}


# --------------------------------------------------------------------------- faults

_UNREADABLE: set[Path] = set()


@pytest.fixture(autouse=True)
def unreadable_files(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """chmod 000 stops nobody running as root: then reading a chmod-000 file raises
    PermissionError as it would for anyone else (read with ``Path.read_bytes`` or
    ``open``: nightly-version reads a top-level pyproject.toml without pathlib)."""
    real, real_open = pathlib.Path.read_bytes, builtins.open

    def read_bytes(self: Path) -> bytes:
        if _UNREADABLE and self.absolute() in _UNREADABLE:
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    def open_(file: Any, *args: Any, **kwargs: Any) -> Any:
        path = Path(os.fspath(file)) if isinstance(file, (str, os.PathLike)) else None
        if _UNREADABLE and path is not None and path.absolute() in _UNREADABLE:
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(pathlib.Path, "read_bytes", read_bytes)
    monkeypatch.setattr(builtins, "open", open_)
    yield
    for path in _UNREADABLE:
        path.chmod(0o644)
    _UNREADABLE.clear()


Fault = Callable[[Path, str, Path], None]
"""(repository, relative path, outside folder) -> None: makes the fault."""


def _replace_by_link(repo: Path, rel: str, target: str) -> None:
    path = repo / rel
    path.unlink()
    os.symlink(target, path)


def symlink_out(repo: Path, rel: str, outside: Path) -> None:
    target = outside / rel.replace("/", "__")
    target.write_bytes((repo / rel).read_bytes())
    _replace_by_link(repo, rel, str(target))


def symlink_loop(repo: Path, rel: str, _outside: Path) -> None:
    _replace_by_link(repo, rel, Path(rel).name)


def dangling(repo: Path, rel: str, _outside: Path) -> None:
    _replace_by_link(repo, rel, "no-such-file")


def dotdot_out(repo: Path, rel: str, outside: Path) -> None:
    """A relative symlink whose ``..`` climbs out of the repository."""
    target = outside / rel.replace("/", "__")
    target.write_bytes((repo / rel).read_bytes())
    _replace_by_link(repo, rel, os.path.relpath(target, (repo / rel).parent))


def non_utf8(repo: Path, rel: str, _outside: Path) -> None:
    path = repo / rel
    data = path.read_bytes()
    if rel.endswith(".json"):
        path.write_bytes(data.replace(b"{", b'{"note": "caf\xe9",', 1))
    elif rel.endswith(".ts"):
        path.write_bytes(b"// caf\xe9\n" + data)
    else:
        path.write_bytes(b"# caf\xe9 \xff\xfe\n" + data)


def unreadable(repo: Path, rel: str, _outside: Path) -> None:
    path = repo / rel
    path.chmod(0)
    _UNREADABLE.add(path.absolute())


def bad_toml(repo: Path, rel: str, _outside: Path) -> None:
    path = repo / rel
    path.write_bytes(path.read_bytes() + b"\n[broken\nkey = \n")


def bad_json(repo: Path, rel: str, _outside: Path) -> None:
    path = repo / rel
    path.write_bytes(path.read_bytes().rstrip()[:-2] + b"\n")


def content(text: str) -> Fault:
    def write(repo: Path, rel: str, _outside: Path) -> None:
        (repo / rel).write_text(text)

    write.__name__ = f"content({text!r})"
    return write


def no_scm(repo: Path, rel: str, _outside: Path) -> None:
    """The file loses its [tool.setuptools_scm] table: it is no longer managed."""
    path = repo / rel
    text = path.read_text()
    head, _, _ = text.partition("[tool.setuptools_scm]")
    path.write_text(head)


def configure(key: str, value: str) -> Fault:
    """Add ``key = value`` to [tool.release-actions] of the root pyproject."""

    def write(repo: Path, _rel: str, _outside: Path) -> None:
        set_config(repo / ROOT, key, value)

    write.__name__ = f"configure({key}={value})"
    return write


def set_config(path: Path, key: str, value: str) -> None:
    """``key = value`` (TOML text) in [tool.release-actions] of ``path`` (the table made
    when it is missing; the example monorepo has one), edited with tomlkit."""
    import tomlkit

    doc = tomlkit.parse(path.read_text())
    tool = doc.setdefault("tool", tomlkit.table())
    table = tool.setdefault("release-actions", tomlkit.table())
    table[key] = tomlkit.parse(f"value = {value}")["value"]
    path.write_text(tomlkit.dumps(doc))


def crlf(repo: Path, rel: str, _outside: Path) -> None:
    path = repo / rel
    path.write_bytes(path.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))


def no_final_newline(repo: Path, rel: str, _outside: Path) -> None:
    path = repo / rel
    path.write_bytes(path.read_bytes().rstrip(b"\r\n"))


# --------------------------------------------------------------------------- the table


@dataclass(frozen=True)
class Case:
    family: str
    fault: Fault
    file: str
    branch: str  # where the fault is committed; CLONE: the clone's working tree only
    argv: tuple[str, ...]
    expect: str  # a fragment of the error; "" when the command must succeed
    extra: tuple[str, ...] = ()  # more files faulted the same way
    demo: bool = False  # commit the demo Python package on main first

    @property
    def id(self) -> str:
        return f"{self.family}-{self.fault.__name__}-{self.file}-{self.branch or 'clone'}"


NV = ("nightly-version", "--no-fetch")
CV = ("compute-version", "--event", "workflow_dispatch", "--dry-run", "off", "--version", "0.8.0")
PREP = ("prepare-release", "--version", "0.7.2")
PREP_MINOR = ("prepare-release", "--version", "0.8.0")
POST = ("post-release", "--tag", "v0.7.1", "--npm-registry", "http://127.0.0.1:9/")
SV_PY = ("set-version", "--version", "0.8.0", "--package-dir", DEMO)
SV_NPM = ("set-version", "--version", "0.8.0", "--package-dir", "src/llama_stack_ui")
SV_NPM_NOFILE = (*SV_NPM, "--version-file", "none")
BUILD = ("build", "--version", "0.8.0", "--out", "dist-out")
BUILD_DEMO = (*BUILD, "--package", DEMO)
DOCTOR = ("doctor",)
PLAN = ("plan", "0.7.2")

OUT = "outside the repository"
LOOP = "symlink loop"
MISSING = "does not exist"
UTF8 = "not UTF-8"
PERM = "permission denied"
TOML = "not valid TOML"
JSON = "not valid JSON"

CASES: list[Case] = []


def add(
    family: str, argv: tuple[str, ...], branch: str, file: str, *faults: tuple[Fault, str]
) -> None:
    for fault, expect in faults:
        CASES.append(Case(family, fault, file, branch, argv, expect))


# compute/nightly-version: the root pyproject (configuration, fallback_version)
for argv, fam in ((NV, "nightly"), (CV, "compute")):
    add(
        fam,
        argv,
        MAIN,
        ROOT,
        (symlink_out, OUT),
        (dotdot_out, OUT),
        (symlink_loop, LOOP),
        (dangling, MISSING),
        (non_utf8, UTF8),
        (bad_toml, TOML),
        (content("tool = 1\n"), "[tool]"),
        (configure("pins", "5"), "pins"),
        (crlf, ""),
        (no_final_newline, ""),
    )
    add(fam, argv, CLONE, ROOT, (unreadable, PERM))

# prepare-release v0.7.2: the release branch's managed files
for file in (ROOT, API):
    add(
        "prepare",
        PREP,
        REL,
        file,
        (symlink_out, OUT),
        (dotdot_out, OUT),
        (symlink_loop, LOOP),
        (dangling, MISSING),
        (non_utf8, UTF8),
        (bad_toml, TOML),
    )
add("prepare", PREP, REL, "uv.lock", (symlink_out, OUT), (symlink_loop, LOOP))
add("prepare", PREP_MINOR, MAIN, API, (symlink_out, OUT), (non_utf8, UTF8), (bad_toml, TOML))
add("prepare", PREP, CLONE, ROOT, (unreadable, PERM), (symlink_out, OUT))
add(
    "prepare",
    PREP,
    MAIN,
    ROOT,
    (configure("pyprojects", '["nope/pyproject.toml"]'), MISSING),
    (configure("pyprojects", '["../pyproject.toml"]'), "configured pyproject.toml path"),
    (configure("pyprojects", '["/etc/pyproject.toml"]'), "configured pyproject.toml path"),
    (configure("pins", '["no-such-package"]'), "matches no requirement"),
)
CASES.append(Case("prepare", no_scm, ROOT, REL, PREP, "no managed pyproject", extra=(API,)))
CASES.append(
    Case(
        "prepare", no_scm, ROOT, REL, (*PREP, "--pin", "no-such-package"), "matches no requirement"
    )
)

# post-release v0.7.1: main's managed pyprojects, the release branch's package.json
for file in (ROOT, API):
    add(
        "post",
        POST,
        MAIN,
        file,
        (symlink_out, OUT),
        (symlink_loop, LOOP),
        (dangling, MISSING),
        (non_utf8, UTF8),
        (bad_toml, TOML),
    )
add(
    "post",
    POST,
    REL,
    UI,
    (symlink_out, OUT),
    (dotdot_out, OUT),
    (symlink_loop, LOOP),
    (non_utf8, UTF8),
    (bad_json, JSON),
    (content("[1, 2, 3]\n"), "not an object"),
    (content('{"name": "ui", "dependencies": null}\n'), '"dependencies" is a JSON null'),
    (content('{"name": "ui", "devDependencies": []}\n'), '"devDependencies" is a JSON array'),
    (content('{"dependencies": {"llama-stack-client": 5}}\n'), "not a string range"),
)
add("post", POST, CLONE, ROOT, (unreadable, PERM))
add("post", POST, MAIN, ROOT, (configure("package-jsons", '["nope"]'), MISSING))

# set-version: a Python package (pyproject + _version.py) and the npm app
for file in (DEMO_PY, DEMO_VERSION):
    for fault, expect in (
        (symlink_out, OUT),
        (dotdot_out, OUT),
        (symlink_loop, LOOP),
        (non_utf8, UTF8),
        (unreadable, PERM),
    ):
        CASES.append(Case("set-version", fault, file, MAIN, SV_PY, expect, demo=True))
    CASES.append(Case("set-version", crlf, file, MAIN, SV_PY, "", demo=True))
CASES.append(Case("set-version", bad_toml, DEMO_PY, MAIN, SV_PY, TOML, demo=True))
CASES.append(
    Case(
        "set-version",
        no_final_newline,
        DEMO_PY,
        MAIN,
        SV_PY,
        "",
        extra=(DEMO_VERSION,),
        demo=True,
    )
)
CASES.append(
    Case(
        "set-version",
        crlf,
        ROOT,
        MAIN,
        (*SV_PY[:-1], DEMO, "--version-file", "../../pyproject.toml"),
        "--version-file",
        demo=True,
    )
)
CASES.append(
    Case(
        "set-version",
        crlf,
        ROOT,
        MAIN,
        (*SV_PY[:-1], DEMO, "--version-file", "../../../outside.py"),
        "version-file",
        demo=True,
    )
)
for file in (UI, UI_LOCK):
    add(
        "set-version",
        SV_NPM_NOFILE,
        MAIN,
        file,
        (symlink_out, OUT),
        (symlink_loop, LOOP),
        (non_utf8, UTF8),
        (unreadable, PERM),
        (bad_json, JSON),
        (crlf, ""),
    )
add("set-version", SV_NPM_NOFILE, MAIN, UI, (content("[1, 2, 3]\n"), "version"))

# build: bad output folder, bad project files (all refused before building anything)
for fault, expect in (
    (symlink_out, OUT),
    (symlink_loop, LOOP),
    (non_utf8, UTF8),
    (unreadable, PERM),
    (bad_toml, TOML),
):
    CASES.append(Case("build", fault, DEMO_PY, MAIN, BUILD_DEMO, expect, demo=True))
add("build", BUILD, MAIN, ROOT, (symlink_out, OUT), (bad_toml, TOML))
add("build", (*BUILD, "--package", "../outside"), MAIN, ROOT, (crlf, OUT))
add("build", ("build", "--version", "0.8.0", "--out", "README.md"), MAIN, ROOT, (crlf, "file"))

# doctor and plan: everything they read
for file in (ROOT, API):
    add(
        "doctor",
        DOCTOR,
        MAIN,
        file,
        (symlink_out, OUT),
        (symlink_loop, LOOP),
        (non_utf8, UTF8),
        (bad_toml, TOML),
    )
add("doctor", DOCTOR, CLONE, ROOT, (unreadable, PERM))
add(
    "doctor",
    DOCTOR,
    MAIN,
    UI,
    (symlink_out, OUT),
    (bad_json, JSON),
    (content("[1, 2, 3]\n"), "not an object"),
    (content('{"name": "ui", "dependencies": null}\n'), '"dependencies" is a JSON null'),
)
add("doctor", DOCTOR, MAIN, ROOT, (configure("pyprojects", '["../x/pyproject.toml"]'), "path"))
add("plan", PLAN, MAIN, ROOT, (symlink_out, OUT), (non_utf8, UTF8), (bad_toml, TOML))
add("plan", PLAN, CLONE, ROOT, (unreadable, PERM))


def test_case_count() -> None:
    assert len([c for c in CASES if c.expect]) >= 80
    families = {c.family for c in CASES}
    assert families >= {"nightly", "compute", "prepare", "post", "set-version", "build", "doctor"}


# --------------------------------------------------------------------------- running a case


@dataclass
class Snapshot:
    refs: str
    origin_refs: str
    status: str
    config: bytes
    outside: dict[str, bytes] = field(default_factory=dict)


def _snapshot(origin: Origin, outside: Path) -> Snapshot:
    return Snapshot(
        origin.git("for-each-ref"),
        origin.bare_git("for-each-ref"),
        origin.git("status", "--porcelain"),
        (origin.work / ".git" / "config").read_bytes(),
        {p.name: p.read_bytes() for p in sorted(outside.iterdir())},
    )


def _commit(origin: Origin, branch: str, message: str) -> None:
    origin.git("add", "-A")
    origin.git("commit", "--quiet", "--no-verify", "-m", message)
    origin.git("push", "--quiet", "origin", branch)


def _plant(origin: Origin, case: Case, outside: Path) -> None:
    if case.demo:
        for rel, text in DEMO_FILES.items():
            (origin.work / rel).parent.mkdir(parents=True, exist_ok=True)
            (origin.work / rel).write_text(text)
        _commit(origin, MAIN, "add a demo package")
    if case.branch and case.fault is not unreadable:  # a mode git does not record
        if case.branch != MAIN:
            origin.git("checkout", "--quiet", case.branch)
        for rel in (case.file, *case.extra):
            case.fault(origin.work, rel, outside)
        _commit(origin, case.branch, f"plant {case.id}")
        if case.branch != MAIN:
            origin.git("checkout", "--quiet", MAIN)
    else:
        for rel in (case.file, *case.extra):
            case.fault(origin.work, rel, outside)


def run_cli(argv: list[str], tmp: Path) -> tuple[int, str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        code = main(argv)
    return code, stdout.getvalue(), stderr.getvalue()


@pytest.fixture
def actions_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, clean_env: None) -> Path:
    out = tmp_path / "gh-output"
    out.write_text("")
    monkeypatch.setenv("GITHUB_OUTPUT", str(out))
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / "gh-summary"))
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    return out


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_file(
    case: Case,
    origin: Origin,
    tmp_path: Path,
    actions_env: Path,
    client_index: Callable[..., PypiIndex],
    uv_on_index: Callable[[PypiIndex], None],
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    index = client_index("0.7.2")
    uv_on_index(index)
    _plant(origin, case, outside)
    before = _snapshot(origin, outside)
    tracked = {rel: _bytes(origin.work / rel) for rel in (case.file, *case.extra)}
    argv = [case.argv[0], "--repo", str(origin.work), *case.argv[1:]]
    if case.argv[0] in ("prepare-release", "plan"):
        argv += ["--index-url", index.simple_url]
    with _cwd(origin.work):
        code, stdout, stderr = run_cli(argv, tmp_path)
    printed = stdout + stderr
    assert "Traceback" not in printed, printed
    assert code != 3, printed
    if not case.expect:
        _check_success(case, origin, code, printed, tracked)
        return
    assert code != 0, printed
    errors = [line for line in stderr.splitlines() if line.startswith("::error")]
    assert len(errors) == 1, printed
    assert "Fix: " in errors[0] or "fix" in errors[0].lower(), errors[0]
    assert case.expect.lower() in errors[0].lower(), errors[0]
    after = _snapshot(origin, outside)
    assert after == before, "something was written"


def _bytes(path: Path) -> bytes | None:
    try:
        return path.read_bytes() if not path.is_symlink() else None
    except OSError:
        return None


def _check_success(
    case: Case, origin: Origin, code: int, printed: str, tracked: dict[str, bytes | None]
) -> None:
    """CRLF, no final newline: the command succeeds and every line end is kept."""
    assert code == 0, printed
    if case.family in ("set-version",):
        for rel, before in tracked.items():
            after = (origin.work / rel).read_bytes()
            assert before is not None
            _same_line_ends(before, after)
            assert after != before or rel.endswith("package-lock.json")


def _same_line_ends(before: bytes, after: bytes) -> None:
    assert before.count(b"\r\n") == after.count(b"\r\n"), (before, after)
    assert before.count(b"\n") == after.count(b"\n"), (before, after)
    assert before.endswith(b"\n") == after.endswith(b"\n"), (before, after)


@contextlib.contextmanager
def _cwd(path: Path) -> Iterator[None]:
    old = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(old)


# --------------------------------------------------------------------------- targeted


def test_prepare_keeps_crlf_byte_for_byte(
    origin: Origin,
    client_index: Callable[..., PypiIndex],
    uv_on_index: Callable[[PypiIndex], None],
    actions_env: Path,
) -> None:
    index = client_index("0.7.2")
    uv_on_index(index)
    origin.git("checkout", "--quiet", REL)
    crlf(origin.work, ROOT, origin.work)
    no_final_newline(origin.work, API, origin.work)
    _commit(origin, REL, "crlf root, no final newline in the api")
    origin.git("checkout", "--quiet", MAIN)
    root_before = _blob(origin, REL, ROOT)
    api_before = _blob(origin, REL, API)
    code, _, printed = run_cli(
        [
            "prepare-release",
            "--repo",
            str(origin.work),
            "--version",
            "0.7.2",
            "--index-url",
            index.simple_url,
        ],
        origin.work,
    )
    assert code == 0, printed
    root = _blob(origin, REL, ROOT)
    api = _blob(origin, REL, API)
    assert root == root_before.replace(b"0.7.1", b"0.7.2")
    assert api == api_before.replace(b"0.7.1", b"0.7.2")
    assert not api.endswith(b"\n")


def _blob(origin: Origin, ref: str, path: str) -> bytes:
    import subprocess

    return subprocess.run(
        ["git", "cat-file", "blob", f"{ref}:{path}"],
        cwd=origin.bare,
        capture_output=True,
        check=True,
    ).stdout


def _prepare(origin: Origin, index_url: str, *args: str) -> tuple[int, str]:
    code, stdout, stderr = run_cli(
        ["prepare-release", "--repo", str(origin.work), "--index-url", index_url, *args],
        origin.work,
    )
    return code, stdout + stderr


def test_pin_matching_nothing_writes_nothing(
    origin: Origin,
    client_index: Callable[..., PypiIndex],
    uv_on_index: Callable[[PypiIndex], None],
    actions_env: Path,
) -> None:
    """Llama Stack #6460: a pin that matches nothing used to push a release commit whose
    pins and uv.lock stayed old."""
    index = client_index("0.7.2")
    uv_on_index(index)
    refs = origin.bare_git("for-each-ref"), origin.git("for-each-ref")
    for pins in (["no-such-package"], ["llama-stack-client", "no-such-package"]):
        flags = [f for pin in pins for f in ("--pin", pin)]
        code, printed = _prepare(origin, index.simple_url, "--version", "0.7.2", *flags)
        errors = [line for line in printed.splitlines() if line.startswith("::error")]
        assert code == 1 and len(errors) == 1, printed
        assert "no-such-package matches no requirement" in errors[0]
        assert "Fix: " in errors[0]
    assert (origin.bare_git("for-each-ref"), origin.git("for-each-ref")) == refs
    assert origin.git("status", "--porcelain") == ""


@pytest.mark.e2e  # its own pypiserver
def test_stale_lock_is_relocked_on_a_rerun(
    origin: Origin, tmp_path: Path, uv_on_index: Callable[[PypiIndex], None], actions_env: Path
) -> None:
    """After --lock-policy skip, a re-run once the pinned client is published re-locks,
    although no pyproject changes any more (it used to say `unchanged`)."""
    from tests.testbed.registries import publish_python_client, running_pypi_index

    with running_pypi_index(tmp_path / "index") as index:  # its own: 0.7.5 is published later
        uv_on_index(index)
        code, printed = _prepare(
            origin, index.simple_url, "--version", "0.7.5", "--lock-policy", "skip"
        )
        assert code == 0, printed
        assert "lock=skipped" in printed
        first = origin.ref(REL)
        assert 'fallback_version = "0.7.5"' in origin.show(REL, ROOT)
        assert 'version = "0.7.5"' not in origin.show(REL, "uv.lock")
        # Not published yet: the re-run still cannot lock, and says so again.
        code, printed = _prepare(
            origin, index.simple_url, "--version", "0.7.5", "--lock-policy", "skip"
        )
        assert code == 0 and "lock=skipped" in printed, printed
        assert origin.ref(REL) == first
        publish_python_client(index, "0.7.5")
        code, printed = _prepare(origin, index.simple_url, "--version", "0.7.5")
        assert code == 0, printed
        assert "lock=relocked" in printed and "status=pushed" in printed, printed
        assert "changed_files=uv.lock" in printed
        lock = origin.show(REL, "uv.lock")
        assert 'name = "llama-stack-client"\nversion = "0.7.5"' in lock
        assert origin.log(REL, max_count=2)[1].sha == first
        # A third run: the lock agrees with the pins, nothing to do.
        code, printed = _prepare(origin, index.simple_url, "--version", "0.7.5")
        assert code == 0 and "status=unchanged" in printed, printed


def test_post_release_keeps_crlf_byte_for_byte(origin: Origin, actions_env: Path) -> None:
    """main's bump after v0.7.2 rewrites a CRLF pyproject with CRLF (and an api pyproject
    without a final newline without one)."""
    root = origin.work / ROOT
    set_config(root, "npm-package", '""')
    crlf(origin.work, ROOT, origin.work)
    no_final_newline(origin.work, API, origin.work)
    _commit(origin, MAIN, "crlf root, no final newline in the api, no npm client")
    origin.git("tag", "v0.7.2", f"origin/{REL}")
    origin.git("push", "--quiet", "origin", "v0.7.2")
    root_before, api_before = _blob(origin, MAIN, ROOT), _blob(origin, MAIN, API)
    code, stdout, stderr = run_cli(
        ["post-release", "--repo", str(origin.work), "--tag", "v0.7.2"], origin.work
    )
    assert code == 0, stdout + stderr
    assert _blob(origin, MAIN, ROOT) == root_before.replace(b"0.7.2.dev0", b"0.7.3.dev0")
    assert _blob(origin, MAIN, API) == api_before.replace(b"0.7.2.dev0", b"0.7.3.dev0")
    assert b"0.7.3.dev0" in _blob(origin, MAIN, API)


# post-release for a new release (v0.7.2): its first write would be the dev tag v0.7.3-dev,
# so a bad file on main or on the release branch must be found before that.
NEW_RELEASE_FAULTS = [
    (MAIN, API, symlink_out, OUT),
    (MAIN, API, dotdot_out, OUT),
    (MAIN, API, symlink_loop, LOOP),
    (MAIN, API, dangling, "dangling"),
    (MAIN, API, non_utf8, UTF8),
    (MAIN, API, bad_toml, TOML),
    (REL, UI, symlink_out, OUT),
    (REL, UI, non_utf8, UTF8),
    (REL, UI, bad_json, JSON),
    (REL, UI, content("[1, 2, 3]\n"), "not an object"),
    (REL, UI, content('{"name": "ui", "dependencies": null}\n'), "JSON null"),
    (REL, UI_LOCK, bad_json, JSON),
    (REL, "uv.lock", bad_toml, TOML),
]


@pytest.mark.parametrize(
    ("branch", "file", "fault", "expect"),
    NEW_RELEASE_FAULTS,
    ids=[f"{b}-{f}-{fault.__name__}" for b, f, fault, _ in NEW_RELEASE_FAULTS],
)
def test_post_release_checks_files_before_the_dev_tag(
    origin: Origin,
    tmp_path: Path,
    actions_env: Path,
    branch: str,
    file: str,
    fault: Fault,
    expect: str,
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    origin.git("tag", "v0.7.2", f"origin/{REL}")
    origin.git("push", "--quiet", "origin", "v0.7.2")
    case = Case("post", fault, file, branch, POST, expect)
    _plant(origin, case, outside)
    before = _snapshot(origin, outside)
    argv = ["post-release", "--repo", str(origin.work), "--tag", "v0.7.2"]
    code, stdout, stderr = run_cli([*argv, *POST[3:]], origin.work)
    printed = stdout + stderr
    assert code == 1 and "Traceback" not in printed, printed
    errors = [line for line in stderr.splitlines() if line.startswith("::error")]
    assert len(errors) == 1 and "Fix: " in errors[0], printed
    assert expect.lower() in errors[0].lower(), errors[0]
    assert _snapshot(origin, outside) == before, "something was written"
    assert "v0.7.3-dev" not in origin.tags()
