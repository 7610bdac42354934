#!/usr/bin/env bash
# Creates (once) the venv the drop-in SDK tests run in: .build/sdk-venv with the official `openai`
# Python SDK at a pinned version. Idempotent: a venv that already imports the pinned SDK is kept.
# Exit status 0 when the venv is usable, 1 with a reason on stderr otherwise.
set -uo pipefail
cd "$(dirname "$0")/../../.."
OPENAI_VERSION="${OPENAI_SDK_VERSION:-3.60.0}"
VENV=.build/sdk-venv
if [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -c "import openai, sys; sys.exit(0 if openai.__version__ == '$OPENAI_VERSION' else 1)" 2>/dev/null; then
  exit 0
fi
mkdir -p .build
rm -rf "$VENV"
python3 -m venv "$VENV" || { echo "setup-venv: python3 -m venv failed" >&2; exit 1; }
"$VENV/bin/pip" install -q --disable-pip-version-check "openai==$OPENAI_VERSION" \
  || { echo "setup-venv: pip install openai==$OPENAI_VERSION failed (is PyPI reachable?)" >&2; exit 1; }
"$VENV/bin/python" -c "import openai; print('openai', openai.__version__)"
