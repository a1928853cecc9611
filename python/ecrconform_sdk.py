"""ecrconform_sdk: drive an AWS SDK (boto3) through the corpus and check what it makes of the
answers (docs/SDK.md).

For each case: the fixture is built through the SDK (CreateRepository, PutImage), its faults set
through the emulator's control interface, then every step that an SDK can express (not `raw`) is
called through the SDK and the parsed result is held against the step's golden:
  - an error golden: the SDK raises, the error code is the golden's type, the exception is the
    SDK's modelled class for that type (botocore: client.exceptions.<Type>) when the model has
    one and the generic ClientError otherwise, and the HTTP status and message are the golden's;
  - a 200 golden: no exception; the failures list carries the golden's failure codes (as plain
    strings, also codes the SDK's model does not know) for the golden's image ids, and imageIds
    are the golden's.
Values under an open question ($anyOf) and $regex matchers are not held against the SDK.

    python3 python/ecrconform_sdk.py --endpoint http://127.0.0.1:PORT --report-dir reports cases/

writes reports/sdk-boto3-<botocore version>.json in report.json's schema (docs/REPORTS.md), so
`ecrconform compare` can set two SDK versions side by side. The endpoint is an `ecrconform serve
--no-layer-check` (fault-injection cases need its control interface).
"""
import argparse
import hashlib
import json
import os
import re
import sys
import time
import urllib.request
import uuid
from pathlib import Path

TEST_KEY = "AKIDECRCONFORMTEST01"
TEST_SECRET = "ecrconform-test-secret-key-not-a-real-one"
OPEN = object()  # a golden value this check does not hold against the SDK

_VAR = re.compile(r"\$\{(repo|digest):([^}]*)\}|\$\{(account|region)\}")


def case_files(paths):
    out = []
    for p in map(Path, paths):
        if p.is_dir():
            out += [f for f in sorted(p.rglob("*.json")) if "manifests" not in f.parts]
        else:
            out.append(p)
    return out


def golden_root(case_path):
    parts = case_path.resolve().parts
    i = len(parts) - 1 - list(reversed(parts)).index("cases")
    return Path(*parts[:i]) / "golden", Path(*parts[:i + 1])


def boto3_client(url, retries=None):
    import boto3
    from botocore.config import Config
    return boto3.client("ecr", endpoint_url=url, region_name="us-east-1",
                        aws_access_key_id=TEST_KEY, aws_secret_access_key=TEST_SECRET,
                        config=Config(parameter_validation=False, retries=retries or {"max_attempts": 1, "mode": "standard"},
                                      connect_timeout=5, read_timeout=30))


def sdk_version():
    import boto3
    import botocore
    return f"boto3-{boto3.__version__}", botocore.__version__


class Vars:
    def __init__(self, case, cases_dir, run):
        self.repos, self.digests = {}, {}
        for r in case.get("fixture", {}).get("repositories", []):
            name = f"sdk-{run}/{case['id']}/{r['name']}"
            if r.get("length"):
                name = (name + "-" + "x" * 256)[: r["length"]]  # boundary names: padded
            self.repos[r["name"]] = name
            for im in r.get("images", []):
                body = (cases_dir / im["manifest"]).read_bytes()
                self.digests[im["id"]] = "sha256:" + hashlib.sha256(body).hexdigest()

    def sub(self, v):
        if isinstance(v, str):
            def one(m):
                if m.group(1) == "repo":
                    return self.repos[m.group(2)]
                if m.group(1) == "digest":
                    return self.digests[m.group(2)]
                return "123456789012" if m.group(3) == "account" else "us-east-1"
            return _VAR.sub(one, v)
        if isinstance(v, list):
            return [self.sub(x) for x in v]
        if isinstance(v, dict):
            return {k: self.sub(x) for k, x in v.items()}
        return v


def canonical(g):
    """The golden value with matchers resolved to what can be held against the SDK: $set and
    $partial give their content, $anyOf and $regex are OPEN."""
    if isinstance(g, dict):
        if "$set" in g:
            return canonical(g["$set"])
        if "$partial" in g:
            return canonical(g["$partial"])
        if "$anyOf" in g or "$regex" in g:
            return OPEN
        return {k: canonical(v) for k, v in g.items()}
    if isinstance(g, list):
        return [canonical(x) for x in g]
    return g


def image_key(i):
    return (i.get("imageDigest"), i.get("imageTag"))


def control(url, method, path, body=None):
    req = urllib.request.Request(url + path, method=method,
                                 data=json.dumps(body).encode() if body is not None else None,
                                 # the control interface refuses requests without it
                                 headers={"Content-Type": "application/json",
                                          "X-Ecrconform-Control": "1"})
    with urllib.request.urlopen(req, timeout=10) as r:
        r.read()


class Outcome:
    """What a client made of one answer: the parsed result, or the error it raised (code,
    message, HTTP status and exception class where the client says them; None where not)."""

    def __init__(self, resp=None, code=None, message=None, status=None, cls=None, text=None,
                 extra=None):
        self.resp, self.code, self.message = resp, code, message
        self.status, self.cls, self.text = status, cls, text
        self.extra = extra or []  # client-specific diff lines (e.g. an untyped JS error)

    @property
    def failed(self):
        return self.code is not None or self.resp is None


def call_boto3(ecr, step, v):
    from botocore.exceptions import ClientError
    import botocore
    method = getattr(ecr, botocore.xform_name(step["operation"]))
    try:
        return Outcome(resp=method(**v.sub(step.get("input", {}))))
    except ClientError as e:
        r = e.response
        return Outcome(code=r.get("Error", {}).get("Code"), message=r.get("Error", {}).get("Message"),
                       status=r.get("ResponseMetadata", {}).get("HTTPStatusCode"),
                       cls=type(e).__name__, text=str(e))


_CLI_ERROR = re.compile(r"An error occurred \(([^)]*)\) when calling the (\w+) operation(?: \(reached max "
                        r"retries: \d+\))?: (.*)", re.S)


def call_cli(aws, url, step, v, env):
    """The step through the AWS CLI (`aws ecr <op> --cli-input-json`): exit code and output."""
    import botocore
    import subprocess
    op = botocore.xform_name(step["operation"]).replace("_", "-")
    p = subprocess.run([aws, "ecr", op, "--cli-input-json", json.dumps(v.sub(step.get("input", {}))),
                        "--endpoint-url", url, "--output", "json", "--region", "us-east-1"],
                       capture_output=True, text=True, timeout=60, env=env, stdin=subprocess.DEVNULL)
    if p.returncode == 0:
        try:
            return Outcome(resp=json.loads(p.stdout or "{}"))
        except ValueError:
            return Outcome(text=f"exit 0 with output that is not JSON: {p.stdout[:200]!r}")
    m = _CLI_ERROR.search(p.stderr)
    if not m:
        return Outcome(code="(no error line)", text=f"exit {p.returncode}: {p.stderr.strip()[:300]}")
    return Outcome(code=m.group(1), message=m.group(3).strip(), text=f"exit {p.returncode}")


class JsDriver:
    """python/sdk_js_driver.mjs under node, run in node_dir (whose node_modules holds
    @aws-sdk/client-ecr): one process, one JSON line per call. Stop it with close()."""

    def __init__(self, node_dir, node="node"):
        import subprocess
        self.proc = subprocess.Popen([node, str(Path(__file__).with_name("sdk_js_driver.mjs"))],
                                     cwd=node_dir, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, text=True)

    def call(self, req):
        self.proc.stdin.write(json.dumps(req) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"the node driver exited ({self.proc.poll()})")
        return json.loads(line)

    def close(self):
        import subprocess
        self.proc.stdin.close()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def call_js(driver, url, step, v, **retry):
    """The step through the JS SDK v3: typed errors (an exception class the package exports must
    be the error's class), $metadata's HTTP status."""
    a = driver.call({"endpoint": url, "op": step["operation"], "input": v.sub(step.get("input", {})),
                     **retry})
    meta = a.get("metadata") or {}
    if a["ok"]:
        return Outcome(resp=a["output"])
    extra = []
    if a.get("exported") and not a.get("typed"):
        extra.append(f"error class: {a['name']} is exported by the SDK but the error is not an instance")
    if not a.get("serviceException"):
        extra.append(f"error class: {a['name']} is not an ECRServiceException: {a.get('message')}")
    if not isinstance(meta.get("httpStatusCode"), int):
        extra.append(f"$metadata has no httpStatusCode: {meta!r}")
    return Outcome(code=a["name"], message=a.get("message"), status=meta.get("httpStatusCode"),
                   text=a.get("message"), extra=extra)


def check_step(ecr, step, golden, v, call=None):
    """Diff lines (empty: the client's view matches the golden). A golden that is an open question
    as a whole (top-level $anyOf) holds when any alternative does; else the closest one's lines.
    call(step, v) -> Outcome; default: boto3 through ecr."""
    out = call(step, v) if call else call_boto3(ecr, step, v)
    if "$anyOf" in golden:
        shared = {k: x for k, x in golden.items() if k not in ("$anyOf", "question", "provenance")}
        best = None
        for alt in golden["$anyOf"]:
            d = judge(ecr, {**shared, **alt}, v, out)
            if best is None or len(d) < len(best):
                best = d
        return best or []
    return judge(ecr, golden, v, out)


def judge(ecr, golden, v, out):
    diff = list(out.extra)
    status = golden.get("status")
    if "error" in golden:
        want = v.sub(golden["error"])
        wtype = canonical(want.get("type"))
        if not out.failed:
            return [f"expected {wtype} ({status}), the client returned success: {out.resp!r:.200}"]
        if out.resp is None and out.code is None:
            return [f"expected {wtype}: {out.text}"]
        if wtype is not OPEN and out.code != wtype:
            diff.append(f"error code: expected {wtype}, the client gave {out.code} ({out.text})")
        if out.cls is not None:
            modelled = {s.name for s in ecr.meta.service_model.error_shapes}
            if wtype in modelled and out.cls != wtype:
                diff.append(f"exception class: expected {wtype} (modelled), the SDK raised {out.cls}")
            if wtype not in modelled and out.cls != "ClientError":
                diff.append(f"exception class: {wtype} is not modelled: expected ClientError, got {out.cls}")
        if out.status is not None and isinstance(status, int) and out.status != status:
            diff.append(f"HTTP status: expected {status}, got {out.status}")
        msg = canonical(want.get("message", OPEN))
        if isinstance(msg, str) and out.message != msg:
            diff.append(f"message: expected {msg!r}, the client gave {out.message!r}")
        return diff
    if out.failed:
        return [f"expected {status}, the client failed: {out.code}: {out.message or out.text}"]
    resp = out.resp
    body = canonical(v.sub(golden.get("body", {})))
    if not isinstance(body, dict):
        return diff
    fails = body.get("failures")
    if isinstance(fails, list) and all(isinstance(f, dict) for f in fails):
        want = sorted((str(image_key(f.get("imageId", {}))), f.get("failureCode")) for f in fails
                      if f.get("failureCode") is not OPEN and f.get("imageId") is not OPEN)
        got = [f for f in resp.get("failures", [])]
        if any(not isinstance(f.get("failureCode"), str) for f in got):
            diff.append(f"failures: a failureCode is not a string: {got!r:.300}")
        if len(got) != len(fails):
            diff.append(f"failures: expected {len(fails)} entries, the client gave {len(got)}: {got!r:.300}")
        gotk = sorted((str(image_key(f.get("imageId", {}))), f.get("failureCode")) for f in got)
        if want and len(want) == len(fails) and gotk != want:
            diff.append(f"failures: expected {want}, the client gave {gotk}")
    ids = body.get("imageIds")
    if isinstance(ids, list) and all(isinstance(i, dict) for i in ids) and \
            not any(OPEN in i.values() for i in ids):
        want = sorted(map(str, map(image_key, ids)))
        got = sorted(map(str, map(image_key, resp.get("imageIds", []))))
        if got != want:
            diff.append(f"imageIds: expected {want}, the client gave {got}")
    return diff


def run_case(ecr, url, path, run, call=None, call_all=True):
    """One case: the fixture through boto3 (ecr), each step through call(step, vars) -> Outcome
    (default boto3 too; with call_all False only the first step, the call under test, and the
    state checks through boto3). Returns a report.json case entry."""
    t0 = time.monotonic()
    case = json.loads(path.read_text())
    groot, cases_dir = golden_root(path)
    entry = {"id": case.get("id", path.stem), "file": str(path), "summary": case.get("summary"),
             "covers": case.get("covers", []), "level": None, "diff": [], "steps": [],
             "baseline_expected": False, "reason": None}
    raw = [s["name"] for s in case.get("steps", []) if "raw" in s]
    if raw:
        entry.update(status="skip", reason=f"step {raw[0]} is a raw request an SDK cannot send")
        entry["duration_ms"] = 0.0
        return entry
    v = Vars(case, cases_dir, run)
    fx = case.get("fixture", {})
    try:
        for r in fx.get("repositories", []):
            if r.get("create", True):
                ecr.create_repository(repositoryName=v.repos[r["name"]])
            for im in r.get("images", []):
                body = (cases_dir / im["manifest"]).read_bytes().decode()
                kw = dict(repositoryName=v.repos[r["name"]], imageManifest=body)
                if im.get("send_digest", True):
                    kw["imageDigest"] = v.digests[im["id"]]
                if im.get("media_type"):
                    kw["imageManifestMediaType"] = im["media_type"]
                for tag in im.get("tags") or [None]:
                    ecr.put_image(**kw, **({"imageTag": tag} if tag else {}))
        for f in fx.get("faults", []):
            body = {"fault": f["fault"], "repositoryName": v.repos[f["repository"]]}
            if f.get("image"):
                body["imageDigest"] = v.digests[f["image"]]
            if f.get("operation"):
                body["operation"] = f["operation"]
            control(url, "POST", "/__ecrconform/faults", body)
        levels = []
        for step in case["steps"]:
            gpath = groot / (step.get("golden") or f"{entry['id']}/{step['name']}.json")
            golden = json.loads(gpath.read_text())
            levels.append(golden.get("provenance", {}).get("level"))
            d = check_step(ecr, step, golden, v,
                           call if call_all or step is case["steps"][0] else None)
            entry["steps"].append({"name": step["name"], "operation": step["operation"],
                                   "level": levels[-1], "passed": not d, "diff": d,
                                   "golden": str(gpath)})
            entry["diff"] += [f"{step['name']}: {x}" for x in d]
        order = "CDIE"
        known = [x for x in levels if x in order]
        entry["level"] = max(known, key=order.index) if known else None
        entry["status"] = "fail" if entry["diff"] else "pass"
        if entry["diff"]:
            entry["reason"] = entry["diff"][0]
    except Exception as e:  # the fixture or the SDK itself broke: the case errors, the run goes on
        entry.update(status="error", reason=f"{type(e).__name__}: {e}")
    finally:
        for name in v.repos.values():
            try:
                control(url, "DELETE", "/__ecrconform/faults?repositoryName=" +
                        urllib.request.quote(name, safe=""))
            except Exception:
                pass
            try:
                ecr.delete_repository(repositoryName=name, force=True)
            except Exception:
                pass
    entry["duration_ms"] = round((time.monotonic() - t0) * 1000, 3)
    return entry


def aws_cli_version(aws):
    """"aws-cli-1.45.11" from `aws --version`, or None when it does not run."""
    import subprocess
    try:
        p = subprocess.run([aws, "--version"], capture_output=True, text=True, timeout=60,
                           stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired):
        return None
    m = re.search(r"aws-cli/(\S+)", p.stdout + p.stderr)
    return f"aws-cli-{m.group(1)}" if p.returncode == 0 and m else None


def write_report(entries, url, report_dir, name=None):
    """reports/sdk-<name>-<version>.json in report.json's schema (name: e.g. "aws-cli-1.45.11";
    default boto3 with its botocore); returns its path."""
    sdk, core = sdk_version()
    label = name or f"{sdk}-botocore-{core}"
    counts = {s: sum(1 for e in entries if e["status"] == s) for s in ("pass", "fail", "error", "skip")}
    ran = len(entries) - counts["skip"]
    doc = {"harness": {"name": "ecrconform", "version": "sdk-check"},
           "target": {"name": label, "endpoint": url},
           "started_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
           "duration_ms": sum(e["duration_ms"] for e in entries),
           "summary": {"total": len(entries), "passed": counts["pass"], "failed": counts["fail"],
                       "errored": counts["error"], "skipped": counts["skip"],
                       "expected_failures": 0,
                       "score": counts["pass"] / ran if ran else 0},
           "skipped": [{"id": e["id"], "reason": e["reason"]} for e in entries if e["status"] == "skip"],
           "cases": sorted(entries, key=lambda e: e["id"])}
    os.makedirs(report_dir, exist_ok=True)
    path = Path(report_dir) / f"sdk-{label}.json"
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(doc, indent=2))
    os.replace(tmp, path)
    return path


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--endpoint", required=True, help="an `ecrconform serve --no-layer-check` URL")
    ap.add_argument("--report-dir", default="reports")
    ap.add_argument("--sdk", choices=["boto3", "aws-cli"], default="boto3",
                    help="the client under test (the fixture is always built with boto3)")
    ap.add_argument("--aws", default="aws", help="the AWS CLI executable (with --sdk aws-cli)")
    ap.add_argument("--first-step-only", action="store_true",
                    help="only the call under test through the client, the state checks through "
                         "boto3 (the AWS CLI starts a Python per call: this halves the time)")
    ap.add_argument("paths", nargs="*", default=["cases"])
    a = ap.parse_args(argv)
    ecr = boto3_client(a.endpoint)
    run = uuid.uuid4().hex[:8]
    call, name = None, None
    if a.sdk == "aws-cli":
        name = aws_cli_version(a.aws)
        if not name:
            print(f"ecrconform_sdk: {a.aws} --version does not run", file=sys.stderr)
            return 2
        env = dict(os.environ, AWS_ACCESS_KEY_ID=TEST_KEY, AWS_SECRET_ACCESS_KEY=TEST_SECRET,
                   AWS_CONFIG_FILE="/dev/null", AWS_SHARED_CREDENTIALS_FILE="/dev/null",
                   AWS_MAX_ATTEMPTS="1", AWS_PAGER="")

        def call(step, v):
            return call_cli(a.aws, a.endpoint, step, v, env)
    entries = [run_case(ecr, a.endpoint, p, run, call, not a.first_step_only)
               for p in case_files(a.paths)]
    path = write_report(entries, a.endpoint, a.report_dir, name)
    bad = [e for e in entries if e["status"] in ("fail", "error")]
    for e in bad:
        print(f"{e['status'].upper()}  {e['id']}: {e['reason']}")
    print(f"{len(entries)} cases: {len(entries) - len(bad)} not failing; report {path}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
