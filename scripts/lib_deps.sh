# Shared by scripts/setup.sh and scripts/test.sh: install the Debian packages
# listed in a file under scripts/deps (only those missing), with a visible
# step line instead of apt's wall of text.
ember_apt_install_list() {
  local list=$1 sudo="" missing=() p
  if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
  while read -r p; do
    p=${p%%#*}; p=${p//[[:space:]]/}
    [ -z "$p" ] && continue
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
      missing+=("$p")
  done < "$list"
  if [ ${#missing[@]} -gt 0 ]; then
    echo "==> apt-get install (${#missing[@]} packages from $list): ${missing[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
      "${missing[@]}" > /tmp/ember-apt.log 2>&1 ||
      { tail -20 /tmp/ember-apt.log >&2; echo "setup: apt-get failed (log: /tmp/ember-apt.log)" >&2; return 1; }
  else
    echo "==> Debian packages from $list: all present"
  fi
}

# Elapsed-time prefix for the step lines, so a user sees where the minutes go.
ember_step() { echo "==> [$(( SECONDS / 60 ))m$(( SECONDS % 60 ))s] $*"; }
