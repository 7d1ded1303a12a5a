# Installs the Debian packages the test suite drives for real when they are missing: nginx (the
# external-authorization e2e). SOURCE it from .ci/run, as root. One line on failure, non-zero.
ci_packages_install() {
  local missing=()
  [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "ci-packages: installing ${missing[*]} (apt-get)"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null ||
    { echo "ci-packages: apt-get install ${missing[*]} failed" >&2; return 1; }
  # The package starts a system nginx on :80; the tests run their own.
  command -v systemctl >/dev/null 2>&1 && systemctl stop nginx >/dev/null 2>&1
  pkill -x nginx >/dev/null 2>&1 || true
  return 0
}
