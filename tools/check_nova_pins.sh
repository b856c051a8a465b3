#!/usr/bin/env bash
# Prove a constraints file is healthy: build (or reuse) a scratch venv with it and
# run Nova's OWN resize functional tests from the installed nova wheel.
#
#   usage: tools/check_nova_pins.sh constraints/nova-NN.txt [venv-dir]
#
# Test selection (stestr regex on test ids; override with NOVA_RESIZE_REGEX):
#   ServerMovingTests.*resize  resize/confirm/revert/reschedule/failure tests of
#                              test_servers.ServerMovingTests and its two nested-
#                              provider subclasses (19 x 3 = 57 on nova 31..34; 18 x 3 =
#                              54 on nova 30, which lacks test_resize_with_private_flavor)
#   test_bug_1825537           finish_resize fails on dest: no usage left on source (1)
# So 58 tests on nova 31..34, 55 on nova 30. With SQLAlchemy 2.1, nova 34 fails 21 of them.
# api-paste.ini quirk: Nova's ConfFixture looks under site-packages/etc/nova, the wheel
# ships <venv>/etc/nova; oslo.config's environment source ([wsgi] api_paste_config via
# OS_WSGI__API_PASTE_CONFIG) points it at the installed file, without editing Nova.
# Full output goes to <venv>/pip.log and <venv>/check_nova_pins.log.
set -euo pipefail

usage() { echo "usage: $0 CONSTRAINTS_FILE [VENV_DIR]" >&2; exit 2; }
[[ $# -ge 1 && $# -le 2 && -f ${1:-} ]] || usage
cfile=$(realpath "$1")
venv=${2:-$(mktemp -d "${TMPDIR:-/tmp}/nova-pins.XXXXXX")}
regex=${NOVA_RESIZE_REGEX:-'ServerMovingTests.*resize|test_bug_1825537'}
start=$SECONDS

[[ -x $venv/bin/python ]] || python3 -m venv "$venv"
venv=$(realpath "$venv")
py=$venv/bin/python
# setuptools is named so that a setuptools pin in the file (nova 30) is applied.
"$py" -m pip install -c "$cfile" setuptools nova openstack-placement oslotest fixtures \
    testtools stestr wsgi-intercept testscenarios ddt requests-mock >"$venv/pip.log" 2>&1 ||
    { tail -n 20 "$venv/pip.log" >&2; echo "pip install failed; see $venv/pip.log" >&2; exit 1; }

site=$("$py" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
read -r nova_v placement_v paste < <("$py" - <<'EOF'
from importlib.metadata import distribution, version
nova = distribution('nova')
paste = [f.locate() for f in nova.files if str(f).endswith('etc/nova/api-paste.ini')]
print(nova.version, version('openstack-placement'), paste[0] if paste else '-')
EOF
)
[[ -f $paste ]] || { echo "api-paste.ini not among nova's installed files" >&2; exit 1; }
export OS_WSGI__API_PASTE_CONFIG=$paste OS_TEST_TIMEOUT=${OS_TEST_TIMEOUT:-300}

cd "$venv"
rm -rf .stestr
log=$venv/check_nova_pins.log
rc=0
"$py" -m stestr --test-path "$site/nova/tests/functional" --top-dir "$site" \
    run --concurrency 2 "$regex" >"$log" 2>&1 || rc=$?
read -r total passed failed skipped < <("$py" -m stestr last --subunit 2>/dev/null |
    "$venv/bin/subunit-stats" --no-passthrough |
    awk '/^(Total|Passed|Failed|Skipped) tests:/ {printf "%s ", $3} END {print ""}') || true
[[ -n ${total:-} ]] || { total=0 passed=0 failed=0 skipped=0; }
(( failed == 0 )) || { "$py" -m stestr failing --list 2>/dev/null || true; } | sed 's/^/FAILED: /' >&2
echo "nova $nova_v / placement $placement_v ($1): $total tests, $passed passed," \
    "$failed failed, $skipped skipped in $((SECONDS - start))s; log $log"
(( rc == 0 && failed == 0 && total > 0 ))
