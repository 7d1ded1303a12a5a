# Installs the Debian packages the test suite drives for real, when they are missing: nginx (the
# external-authorization e2e, test/authz.e2e-spec.ts) and chromium (the web console's browser
# tests, test/console.e2e-spec.ts; playwright-core drives it, its own browser download cannot reach
# the internet). SOURCE it from .ci/run, as root, then call ci_packages_install. Those tests fail
# (they never skip) without their package, so on failure this prints one line and returns non-zero.
ci_packages_install() {
  local missing=()
  [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
  [ -x "${OAUTH2_TEST_CHROMIUM:-/usr/bin/chromium}" ] || missing+=(chromium)
  if [ ${#missing[@]} -gt 0 ]; then
    echo "ci-packages: installing ${missing[*]} (apt-get)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null ||
      { echo "ci-packages: apt-get install ${missing[*]} failed" >&2; return 1; }
    # The nginx package starts a system nginx on :80; the tests run their own.
    pkill -x nginx >/dev/null 2>&1 || true
  fi
  [ -x /usr/sbin/nginx ] || { echo "ci-packages: no nginx at /usr/sbin/nginx after installing" >&2; return 1; }
  [ -x "${OAUTH2_TEST_CHROMIUM:-/usr/bin/chromium}" ] || { echo "ci-packages: no chromium after installing" >&2; return 1; }
  echo "ci-packages: $(/usr/sbin/nginx -v 2>&1), $("${OAUTH2_TEST_CHROMIUM:-/usr/bin/chromium}" --version 2>/dev/null | head -n 1)"
}
