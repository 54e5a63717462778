"""post-release's two steps on the default branch: the dev tag on its head
(:func:`dev_tag_step`) and the ``fallback_version`` bump (:func:`bump_main`)."""

from __future__ import annotations

from pathlib import Path

from release_actions.adapters import git
from release_actions.adapters.delivery import (
    PR_BRANCH_PREFIX,
    Identity,
    PullRequests,
    is_rule_rejection,
    rule_rejection_line,
    write_change,
)
from release_actions.adapters.tags import origin_tag_targets
from release_actions.adapters.uvlock import relock
from release_actions.core.config import Config
from release_actions.core.errors import ReleaseActionsError
from release_actions.core.main_line import leave_main_alone, main_develops
from release_actions.core.versions import (
    Version,
)
from release_actions.edits.pins import set_pins
from release_actions.edits.pyproject import (
    has_scm_config,
    read_fallback_version,
    set_fallback_version,
)
from release_actions.steps.managed_files import find_managed_pyprojects
from release_actions.steps.post.history import is_ancestor, unshallow
from release_actions.steps.post.inputs import Checked, PostRequest, left_alone_reason
from release_actions.steps.post.step import Step, step_from_write


def dev_tag_step(
    repo: Path,
    request: PostRequest,
    config: Config,
    checked: Checked,
    main_sha: str,
    reason: str | None,
) -> Step:
    next_base = checked.next_base
    if next_base is None:
        return Step("dev-tag", "skipped", left_alone_reason(checked.tag.version, config))
    if reason:
        return Step("dev-tag", "skipped", reason)
    name = checked.conventions.dev_tag_name(next_base)
    branch = config.default_branch
    existing = checked.tags.get(name, "")
    if existing:
        return existing_dev_tag(repo, name, existing, main_sha, branch, "")
    # Main's head before our bump: on a re-run after the bump (or beside a concurrent
    # identical run that bumped already), the bump commit's parent, not the bump.
    target = before_bump(repo, main_sha, branch, f"{bump_title(config, checked)}")
    where = f"{branch} ({target[:12]})" + (" before the bump" if target != main_sha else "")
    if request.dry_run:
        return Step("dev-tag", "dry-run", f"would tag {where} with {name}", sha=target)
    if checked.use_remote:
        code, out, err = git.try_run(
            repo,
            "push",
            "--porcelain",
            "origin",
            f"{target}:refs/tags/{name}",
            extra_env=git.remote_env(repo),
        )
        if code == 0 and "[up to date]" in out:  # another run pushed the same tag meanwhile
            return existing_dev_tag(repo, name, target, main_sha, branch, target)
        if code == 0:
            return Step("dev-tag", "created", f"{name} on {where}", sha=target)
        message = "\n".join(x for x in (out, err) if x)
        now = origin_tag_targets(repo, name).get(name, "")
        if now:  # lost the race to another run
            return existing_dev_tag(repo, name, now, main_sha, branch, target)
        if is_rule_rejection(message):
            raise ReleaseActionsError(
                f"creating tag {name} was rejected by a tag ruleset or protection rule:"
                f" {rule_rejection_line(message)}",
                fix=f"add the bot to the rule's bypass list, or push {name} on {target[:12]}"
                " by hand",
                title="Dev tag rejected",
            )
        raise ReleaseActionsError(
            f"pushing tag {name} failed: {message}",
            fix="check that the token may push tags (contents: write), then re-run",
        )
    code, _, err = git.try_run(repo, "tag", name, target)
    if code != 0:
        now = git.tag_targets(repo, (f"refs/tags/{name}",)).get(name, "")
        if now:
            return existing_dev_tag(repo, name, now, main_sha, branch, target)
        raise ReleaseActionsError(f"creating tag {name} failed: {err}", fix="re-run the job")
    return Step("dev-tag", "created", f"{name} (local) on {where}", sha=target)


def existing_dev_tag(
    repo: Path, name: str, sha: str, main_sha: str, branch: str, target: str
) -> Step:
    """An existing dev tag (found, or made by a run that won the race): fine on main's
    history, an error elsewhere."""
    raced = " (made meanwhile by another run)" if target else ""
    if sha in (target, main_sha) or is_ancestor(repo, sha, main_sha, branch):
        return Step("dev-tag", "exists", f"{name} already on {branch}'s history{raced}", sha=sha)
    raise ReleaseActionsError(
        f"dev tag {name} exists{raced} on {sha[:12]}, which is not on {branch}",
        fix=f"delete the stray tag (git push origin :refs/tags/{name}) and re-run",
        title="Dev tag on another commit",
    )


def bump_title(config: Config, checked: Checked) -> str:
    return f"chore: bump fallback_version to {checked.next_base}.dev0 after {checked.tag.name}"


def before_bump(repo: Path, main_sha: str, branch: str, title: str) -> str:
    """``main_sha``, or the parent of our bump commit when main already has it (a
    squash-merged PR's ``(#N)`` suffix included): the dev tag's commit is stable."""
    unshallow(repo, branch)
    code, out, _ = git.try_run(
        repo, "log", "--first-parent", "--max-count=200", "--format=%H %P%x00%s", main_sha
    )
    for line in git.lines(out) if code == 0 else []:
        shas, _, subject = line.partition("\0")
        if subject == title or subject.startswith(f"{title} (#"):
            parents = shas.split()[1:]
            if parents:
                return parents[0]
    return main_sha


def bump_main(
    repo: Path,
    request: PostRequest,
    config: Config,
    identity: Identity,
    pulls: PullRequests | None,
    checked: Checked,
    *,
    dry_run: bool,
) -> Step:
    next_base, version = checked.next_base, checked.tag.version
    if next_base is None:
        return Step("main", "skipped", left_alone_reason(version, config))
    target = f"{next_base}.dev0"
    # Tags re-read for the real write: a concurrent post-release may have moved main on.
    match = f"refs/tags/{checked.conventions.describe_match}"
    tags = (
        checked.tags if dry_run or not checked.use_remote else origin_tag_targets(repo, match=match)
    )
    pins = request.pins or config.pins
    left_alone: list[str] = []
    fallbacks: dict[str, str] = {}
    no_table: list[str] = []  # configured files not versioned by setuptools-scm

    def edit(wt: Path, _new: bool) -> list[str]:
        left_alone.clear()
        fallbacks.clear()
        no_table.clear()
        texts = {}
        for path in find_managed_pyprojects(wt, config.pyprojects):
            rel = path.relative_to(wt).as_posix()
            text = path.read_bytes().decode("utf-8")  # CRLF kept
            if not has_scm_config(text, path_for_errors=rel):
                no_table.append(rel)
                continue
            texts[path] = (rel, text)
            current = read_fallback_version(texts[path][1], path_for_errors=rel)
            if current is not None:
                fallbacks[rel] = current
        develops = main_develops(tags, fallbacks, checked.conventions)
        reason = leave_main_alone(next_base, develops, config.default_branch)
        if reason:  # an older line, or main moved ahead meanwhile: never move it back
            left_alone.append(reason)
            return []
        changed = []
        for path, (rel, original) in texts.items():
            current = fallbacks.get(rel)
            text = original
            if current is None or Version(current) <= Version(target):
                text = set_fallback_version(text, target, path_for_errors=rel)
            if checked.pin_style == "minimum":
                text, _ = set_pins(text, pins, version, "minimum", path_for_errors=rel)
            if text != original:
                path.write_text(text, encoding="utf-8")
                changed.append(rel)
        relock_needed = changed and checked.pin_style == "minimum" and (wt / "uv.lock").is_file()
        if relock_needed and not dry_run and relock(wt, pins).status == "relocked":
            changed.append("uv.lock")
        return changed

    title = bump_title(config, checked)
    write = write_change(
        repo,
        branch=config.default_branch,
        edit=edit,
        message=title,
        identity=identity,
        mode=checked.mode,
        push=request.push,
        dry_run=dry_run,
        pr_branch=f"{PR_BRANCH_PREFIX}post-release-{checked.tag.name}",
        pr_title=title,
        pr_body="Opened by llama-stack/release-actions post-release.",
        pulls=pulls,
    )
    skipped = f"{', '.join(no_table)} skipped: no [tool.setuptools_scm] table" if no_table else ""
    if left_alone:
        step = Step("main", "skipped", left_alone[0])
    elif not write.changed and not fallbacks and not write.pull_request_url:
        why = f"no managed pyproject.toml on {config.default_branch} has a [tool.setuptools_scm]"
        step = Step("main", "skipped", f"{why} table: no fallback_version to write")
        if skipped:
            step.detail += f" ({skipped})"
    else:
        step = step_from_write("main", write, f"fallback_version {target}")
        step.detail += f"; {skipped}" if skipped else ""
    step.fallbacks = dict(fallbacks)
    return step
