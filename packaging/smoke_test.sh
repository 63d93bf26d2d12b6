#!/usr/bin/env bash
# Build the bundle (unless SKIP_BUILD=1), then check it works as users run it: the frozen command line
# transcribes the shipped sample with the bundled demonstration model exactly as the source tree does, and
# the frozen window starts under Xvfb in portable mode and saves a screenshot. Prints start-up times.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "${SKIP_BUILD:-0}" = 1 ] || bash packaging/build.sh
bundle=dist/mms-desktop
work=$(mktemp -d)
trap 'rm -rf "$work"; [ -n "${xvfb:-}" ] && kill "$xvfb" 2>/dev/null; rm -f "$bundle/portable"; rm -rf "$bundle/data"' EXIT

t0=$(date +%s.%N)
"$bundle/mms-desktop" --help > /dev/null
t1=$(date +%s.%N)
frozen=$(HF_HUB_OFFLINE=1 "$bundle/mms-desktop" --data-dir "$work/home" transcribe resources/sample.wav --lang eng)
t2=$(date +%s.%N)
source=$(.venv/bin/mms-desktop --data-dir "$work/home-src" transcribe resources/sample.wav --lang eng)
echo "frozen transcript: $frozen"
[ -n "$frozen" ] && [ "$frozen" = "$source" ] || { echo "FAIL: the bundle transcribed '$frozen', the source '$source'"; exit 1; }

display=":$(( 70 + $$ % 20 ))"
Xvfb "$display" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 & xvfb=$!
sleep 1
touch "$bundle/portable"  # portable mode: data (and the log) beside the executable
shot="$work/window.png"
t3=$(date +%s.%N)
DISPLAY="$display" QT_QPA_PLATFORM=xcb timeout 180 "$bundle/mms-desktop-gui" --screenshot "$shot"
t4=$(date +%s.%N)
[ -s "$shot" ] || { echo "FAIL: the frozen window saved no screenshot"; cat "$bundle"/data/logs/*.log; exit 1; }
[ -f "$bundle/data/logs/mms-desktop.log" ] || { echo "FAIL: portable mode did not keep its log beside the program"; exit 1; }
grep -q "window open" "$bundle/data/logs/mms-desktop.log"
mkdir -p build && cp "$shot" build/bundle-window.png
awk -v a="$t0" -v b="$t1" -v c="$t2" -v d="$t3" -v e="$t4" 'BEGIN { printf "start-up: --help %.1f s; \
transcribe the sample (load + recognize) %.1f s; window ready (models loaded) %.1f s\n", b - a, c - b, e - d }'
echo "PASS: bundle smoke test (screenshot in build/bundle-window.png)"
