"""ecrconform_pytest: the ecrconform corpus as pytest items (docs/PYTEST.md).

    PYTHONPATH=python pytest -p ecrconform_pytest [--ecr-endpoint URL] [--ecr-baseline FILE] cases/

One item per case file under a `cases/` directory, named by the case id, with a marker per
`covers` label and one for its level, so -k, -m, -x, --lf, --junitxml and pytest-xdist work.

The C runner does the work: the items' case files go to one `ecrconform run --stream-jsonl -`
process (per session, or per batch of items an xdist worker is handed), which writes one JSON
line per case as it finishes; an item waits (bounded) for its case's line. An item passes exactly
when its case passes, skips with the case's reason, and fails with the case's status, reason and
diff lines. With --ecr-baseline a failure the baseline expects is an xfail with the baseline's
reason, and a listed case that now passes fails as XPASS(strict).
"""
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import pytest

# Marker names: pytest's -m grammar and its "markers" ini lines take \w names, so a covers label
# "failureCode:ImageNotFound" becomes the marker failureCode_ImageNotFound, and a level "C"
# becomes level_C. Every item also carries the marker `ecrconform`.
_NOT_WORD = re.compile(r"\W")


def marker_name(label):
    """The pytest marker of a covers label (non-word characters become '_')."""
    return _NOT_WORD.sub("_", label)


def pytest_addoption(parser):
    g = parser.getgroup("ecrconform", "ecrconform conformance cases (docs/PYTEST.md)")
    g.addoption("--ecr-endpoint", metavar="URL", default=None,
                help="ECR endpoint to test (as `ecrconform run --endpoint`); default: the "
                     "built-in emulator. Credentials come from the environment or profile.")
    g.addoption("--ecr-baseline", metavar="FILE", default=None,
                help="baseline of expected failures: those are xfail, fixed ones XPASS(strict)")
    g.addoption("--ecrconform-bin", metavar="PATH", default=None,
                help="the ecrconform executable (default: $ECRCONFORM_BIN, else ecrconform on "
                     "PATH, else build/ecrconform under the rootdir)")
    g.addoption("--ecr-run-arg", metavar="ARG", action="append", default=[],
                help="an extra argument for `ecrconform run` (repeatable), e.g. --ecr-run-arg=--jobs=2")
    g.addoption("--ecr-report-dir", metavar="DIR", default=None,
                help="keep run's reports here (one subdirectory per run process); default: a "
                     "private temporary directory, removed at the end")
    g.addoption("--ecr-timeout", metavar="SECONDS", type=float, default=600.0,
                help="how long an item waits for its case's result (default 600)")


def pytest_configure(config):
    config.addinivalue_line("markers", "ecrconform: an ecrconform conformance case")
    for level in "CDIE":
        config.addinivalue_line("markers", f"level_{level}: a case whose weakest golden is level {level}")
    config._ecrconform = _Session(config)
    config.pluginmanager.register(config._ecrconform, "ecrconform-session")
    _hook_xdist_worker(config, config._ecrconform)


def pytest_collect_file(file_path, parent):
    if file_path.suffix != ".json" or "manifests" in file_path.parts:
        return None
    # A case is a JSON file under a directory named cases/ (not its manifests/).
    if "cases" not in file_path.parent.parts:
        return None
    # A JSON object with neither "id" nor "steps" is some other file that lives there; a file that
    # does not parse stays an item (run reports it as an invalid case).
    _, _, parsed, doc = _read_case(file_path, with_doc=True)
    if parsed and "id" not in doc and "steps" not in doc:
        return None
    return CaseFile.from_parent(parent, path=file_path)


def _read_case(path, with_doc=False):
    """(id, covers, parsed[, doc]) of a case file; a file that does not parse (or is not a JSON
    object) keeps its stem as id, as run does."""
    doc = None
    try:
        with open(path, "rb") as f:
            doc = json.loads(f.read(4 * 1024 * 1024))
    except (OSError, ValueError):
        pass
    if not isinstance(doc, dict):
        return (path.stem, [], False) + ((None,) if with_doc else ())
    cid = doc.get("id") if isinstance(doc.get("id"), str) and doc.get("id") else path.stem
    covers = doc.get("covers") if isinstance(doc.get("covers"), list) else []
    covers = [c for c in covers if isinstance(c, str)]
    return (cid, covers, True) + ((doc,) if with_doc else ())


def _case_level(path, cid):
    """The weakest provenance level among the case's goldens (golden/<id>/*.json beside cases/)."""
    parts = path.resolve().parts
    if "cases" not in parts:
        return None
    root = Path(*parts[: len(parts) - 1 - list(reversed(parts)).index("cases")])
    order = "CDIE"
    worst = None
    for g in sorted((root / "golden" / cid).glob("*.json")):
        try:
            prov = json.loads(g.read_text()).get("provenance", {})
            lvl = prov.get("level") if isinstance(prov, dict) else None
        except (OSError, ValueError, AttributeError):
            continue
        if isinstance(lvl, str) and lvl in order and (worst is None or order.index(lvl) > order.index(worst)):
            worst = lvl
    return worst


class CaseFile(pytest.File):
    def collect(self):
        cid, covers, _ = _read_case(self.path)
        item = CaseItem.from_parent(self, name=cid)
        item.case_file = str(self.path.resolve())
        item.case_id = cid
        marks = ["ecrconform"] + [marker_name(c) for c in covers]
        level = _case_level(self.path, cid)
        if level:
            marks.append(f"level_{level}")
        for m in marks:
            if m not in _registered(self.config):
                self.config.addinivalue_line("markers", f"{m}: ecrconform covers label")
                _registered(self.config).add(m)
            item.add_marker(m)
        # -k also matches the labels as written.
        item.extra_keyword_matches.update(covers)
        yield item


def _registered(config):
    if not hasattr(config, "_ecrconform_marks"):
        config._ecrconform_marks = {"ecrconform"} | {f"level_{x}" for x in "CDIE"}
    return config._ecrconform_marks


class CaseFailure(Exception):
    def __init__(self, result, why):
        super().__init__(why)
        self.result, self.why = result, why


class CaseItem(pytest.Item):
    case_file = None
    case_id = None

    def runtest(self):
        sess = self.config._ecrconform
        res = sess.result_for(self)
        status, reason = res.get("status"), res.get("reason") or ""
        mark = res.get("baseline")
        breason = res.get("baseline_entry_reason") or reason
        if status == "pass":
            if mark == "fixed":
                raise CaseFailure(res, f"[XPASS(strict)] {breason}")
            return
        if status == "skip":
            pytest.skip(reason)
        if mark == "expected":
            pytest.xfail(breason)
        raise CaseFailure(res, f"{status}: {reason}")

    def repr_failure(self, excinfo):
        if isinstance(excinfo.value, CaseFailure):
            res = excinfo.value.result
            lines = [f"case {self.case_id} ({res.get('file') or self.case_file}): {excinfo.value.why}"]
            diff = res.get("diff") or []
            lines += ["  " + d for d in diff]
            for step in res.get("steps") or []:
                if not step.get("passed") and step.get("golden"):
                    lines.append(f"  step {step.get('name')}: golden {step.get('golden')}")
            return "\n".join(lines)
        if isinstance(excinfo.value, RunnerError):
            return str(excinfo.value)
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.path, None, f"ecrconform case {self.case_id}"


class RunnerError(Exception):
    pass


class _Run:
    """One `ecrconform run --stream-jsonl -` process over some case files; its stdout lines are
    read by a thread into `results` (by case id)."""

    def __init__(self, sess, items):
        self.sess = sess
        self.ids = {it.case_id for it in items}
        self.results = {}
        self.cond = threading.Condition()
        self.done = False
        self.report_dir = sess.new_report_dir()
        self.stderr_path = os.path.join(self.report_dir, "run.stderr")
        opt = sess.config.option
        cmd = [sess.binary(), "run", "--stream-jsonl", "-", "--no-progress",
               "--report-dir", self.report_dir]
        if opt.ecr_endpoint:
            cmd += ["--endpoint", opt.ecr_endpoint]
        if opt.ecr_baseline:
            cmd += ["--baseline", os.path.abspath(opt.ecr_baseline)]
        cmd += list(opt.ecr_run_arg)
        cmd += sorted({it.case_file for it in items})
        self.cmd = cmd
        self.stderr = open(self.stderr_path, "wb")
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=self.stderr,
                                     stdin=subprocess.DEVNULL)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for line in self.proc.stdout:
            try:
                doc = json.loads(line)
            except ValueError:
                continue
            if isinstance(doc, dict) and isinstance(doc.get("id"), str):
                with self.cond:
                    self.results[doc["id"]] = doc
                    self.cond.notify_all()
        self.proc.wait()
        with self.cond:
            self.done = True
            self.cond.notify_all()

    def wait_for(self, cid, timeout):
        deadline = time.monotonic() + timeout
        with self.cond:
            while cid not in self.results and not self.done:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise RunnerError(f"ecrconform: no result for case {cid} after {timeout:.0f} s "
                                      f"(run: {' '.join(self.cmd[:8])} ...)")
                self.cond.wait(min(left, 1.0))
            if cid in self.results:
                return self.results[cid]
        raise RunnerError(f"ecrconform run exited with code {self.proc.returncode} without a result "
                          f"for case {cid}; its stderr:\n{self.stderr_tail()}")

    def stderr_tail(self, n=4000):
        try:
            with open(self.stderr_path, "rb") as f:
                return f.read()[-n:].decode("utf-8", "replace")
        except OSError as e:
            return f"({self.stderr_path}: {e})"

    def finish(self, timeout):
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.reader.join(timeout=10)
        self.stderr.close()


class _Session:
    def __init__(self, config):
        self.config = config
        self.runs = []
        self.by_item = {}    # nodeid -> _Run
        self.pending = None  # xdist: items announced to this worker, not yet handed to a run
        self.tmp = None

    def binary(self):
        opt = self.config.option.ecrconform_bin or os.environ.get("ECRCONFORM_BIN")
        if opt:
            return opt
        found = shutil.which("ecrconform")
        if found:
            return found
        local = Path(str(self.config.rootpath)) / "build" / "ecrconform"
        if local.exists():
            return str(local)
        raise RunnerError("ecrconform: no ecrconform executable: give --ecrconform-bin PATH or "
                          "set ECRCONFORM_BIN")

    def new_report_dir(self):
        base = self.config.option.ecr_report_dir
        if base:
            os.makedirs(base, exist_ok=True)
            return tempfile.mkdtemp(prefix="run-", dir=base)
        if self.tmp is None:
            self.tmp = tempfile.mkdtemp(prefix="ecrconform-pytest-")
        return tempfile.mkdtemp(prefix="run-", dir=self.tmp)

    def _batch(self, item):
        """The items the next run process covers: every case item this process will run that no
        run has yet (the whole selection; under xdist, what the controller has handed over)."""
        if self.pending is not None:
            batch = [it for it in self.pending if it.nodeid not in self.by_item]
            self.pending.clear()
        else:
            batch = [it for it in item.session.items
                     if isinstance(it, CaseItem) and it.nodeid not in self.by_item]
        if item not in batch:
            batch.append(item)
        return batch

    def result_for(self, item):
        run = self.by_item.get(item.nodeid)
        if run is None:
            batch = self._batch(item)
            run = _Run(self, batch)
            self.runs.append(run)
            for it in batch:
                self.by_item[it.nodeid] = run
        return run.wait_for(item.case_id, self.config.option.ecr_timeout)

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session):
        # After -x or a keyboard interrupt the runs still finish their cases (teardown included),
        # within the timeout.
        for run in self.runs:
            run.finish(self.config.option.ecr_timeout)
        if self.tmp and not self.config.option.ecr_report_dir:
            shutil.rmtree(self.tmp, ignore_errors=True)


def _hook_xdist_worker(config, sess):
    """Under pytest-xdist a worker learns its items in batches ("runtests" commands): each batch's
    case items go to one run process, started when the first of them runs."""
    if not hasattr(config, "workerinput"):
        return
    for plugin in config.pluginmanager.get_plugins():
        if type(plugin).__name__ == "WorkerInteractor" and hasattr(plugin, "channel"):
            break
    else:
        return
    channel = plugin.channel
    receive = channel.receive
    sess.pending = []

    def receive_and_note(*args, **kwargs):
        msg = receive(*args, **kwargs)
        try:
            name, kw = msg
            items = plugin.session.items
            if name == "runtests":
                idx = kw["indices"]
            elif name == "runtests_all":
                idx = range(len(items))
            else:
                idx = []
            sess.pending.extend(items[i] for i in idx if isinstance(items[i], CaseItem))
        except Exception:  # a protocol this shim does not know: one run per item still works
            pass
        return msg

    try:
        channel.receive = receive_and_note
    except AttributeError:
        sess.pending = None
