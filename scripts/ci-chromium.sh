# Makes sure Debian's chromium is present for the web console's browser tests (test/console.e2e-spec.ts).
#
# SOURCE it as root: `. scripts/ci-chromium.sh` (.ci/run does). Installs the chromium package with
# apt-get when /usr/bin/chromium is missing (playwright-core drives it; its own browser download
# cannot reach the internet). On failure it prints one line and returns non-zero: the console tests
# would fail without it, so .ci/run stops there.

ci_chromium_ensure() {
  local bin="${OAUTH2_TEST_CHROMIUM:-/usr/bin/chromium}"
  if [ ! -x "$bin" ]; then
    echo "ci-chromium: installing chromium (apt-get)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null ||
      { echo "ci-chromium: apt-get install chromium failed" >&2; return 1; }
  fi
  [ -x "$bin" ] || { echo "ci-chromium: no chromium at $bin after installing" >&2; return 1; }
  echo "ci-chromium: $("$bin" --version 2>/dev/null | head -n 1)"
}

ci_chromium_ensure
