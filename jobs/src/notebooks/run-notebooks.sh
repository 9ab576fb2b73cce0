#!/usr/bin/env bash
# Executes notebooks/*.ipynb headless with the Java kernel set up under jobs/target/notebooks (mvn verify runs this
# in the integration-test phase). Executed copies go to jobs/target/notebooks/executed; a failing cell fails the build.
set -euo pipefail
TARGET="$(cd "$1" && pwd)"
REPO="$(cd "$2" && pwd)"
PY=/usr/bin/python3   # Debian's python: the default python3 on PATH may not see Debian's Jupyter packages
PACKAGES="jupyter-nbconvert python3-nbclient python3-ipykernel python3-pandas python3-matplotlib"

if [[ ! -x "$PY" ]] || ! "$PY" -c 'import nbconvert, nbclient, ipykernel' 2>/dev/null; then
  cat >&2 <<MSG
notebooks: FAILED: Jupyter is not installed, so notebooks/*.ipynb cannot be executed. ./test (the README's test
command) installs it itself; by hand:
  sudo apt-get update && sudo apt-get install -y --no-install-recommends $PACKAGES
or skip the notebooks with: mvn verify -Dnotebooks.skip=true
MSG
  exit 1
fi

OUT="$TARGET/notebooks/executed"
rm -rf "$OUT" "$TARGET/notebook-home"   # the notebooks' TIDEMARK_HOME: start from nothing
mkdir -p "$OUT"
export JUPYTER_PATH="$TARGET/notebooks/jupyter"
total_start=$SECONDS
for nb in "$REPO"/notebooks/*.ipynb; do
  name="$(basename "$nb" .ipynb)"
  start=$SECONDS
  # No cell time limit. rapaio-jupyter-kernel 3.0.1 can lose the race between its first kernel_info_request and its
  # handler setup (NullPointerException in Channels.getHandler: the kernel never answers, or dies before its first
  # reply): then start it again.
  for attempt in 1 2 3; do
    if "$PY" -m jupyter nbconvert --to notebook --execute --ExecutePreprocessor.kernel_name=tidemark-java \
        --ExecutePreprocessor.startup_timeout=60 --output-dir "$OUT" "$nb" >"$OUT/$name.log" 2>&1; then
      status=ok; break
    fi
    status=failed
    grep -q -E "Kernel didn't respond|Kernel died before replying" "$OUT/$name.log" || break
    echo "notebooks: $name.ipynb: the kernel did not start (attempt $attempt), starting it again" >&2
  done
  if [[ $status != ok ]]; then
    grep -v -E '^\[[0-9-]+ [0-9:]+\] \[INFO' "$OUT/$name.log" | tail -n 80 >&2
    echo "notebooks: FAILED: $name.ipynb (full log: $OUT/$name.log)" >&2
    exit 1
  fi
  echo "notebooks: $name.ipynb ok in $((SECONDS - start)) s -> $OUT/$name.ipynb"
done
echo "notebooks: all ok in $((SECONDS - total_start)) s"
