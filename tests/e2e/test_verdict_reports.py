"""report.html and summary.md lead with the verdict, then the failures grouped by cause: when every
case errors on one wrong key, the first screen says so once."""
import json

from conftest import clean_env, run_cli, start_serve, stop


def test_one_wrong_key_is_one_cause(ecrconform_bin, tmp_path):
    s = start_serve("--auth", "strict")
    try:
        env = clean_env(AWS_ACCESS_KEY_ID="AKIDNOTTHEKEY0000001", AWS_SECRET_ACCESS_KEY="nope")
        p = run_cli("run", "--endpoint", s.url, "--no-progress", "--report-dir", tmp_path / "r",
                    "--filter", "delete-*", env=env)
    finally:
        stop(s.proc)
    assert p.returncode == 1, p.stdout + p.stderr
    r = json.loads((tmp_path / "r" / "report.json").read_text())
    n = r["summary"]["errored"]
    assert n == r["summary"]["total"] > 3
    md = (tmp_path / "r" / "summary.md").read_text()
    lines = md.splitlines()
    assert lines[0].endswith(": FAIL")
    assert lines[2].startswith(f"**FAIL: gate not met** \u2014 {n} new failures")
    cause = md.index(f"- **all {n} cases** (error)")
    assert "UnrecognizedClientException" in md[cause:md.index("\n", md.index("\n", cause) + 1)]
    assert cause < md.index("Score ")
    html = (tmp_path / "r" / "report.html").read_text()
    order = [html.index(x) for x in ('<p class="verdict fail">FAIL: gate not met</p>',
                                     f"<td class=\"n\">all {n}", 'nav class="jump"',
                                     "<h2>Score</h2>", "<h2>Coverage</h2>")]
    assert order == sorted(order)
    assert p.stdout.splitlines()[-1].startswith(f"FAIL: gate not met \u2014 {n} new failures")
