#!/usr/bin/env bash
# Build the one-folder bundle (dist/mms-desktop) and its installable archive, and report size and time.
#   packaging/build.sh [PYTHON]      PYTHON: the interpreter of an environment with the project and
#                                    PyInstaller installed (default: .venv/bin/python)
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${1:-.venv/bin/python}"
version=$("$PY" -c "import mms_desktop; print(mms_desktop.__version__)")
started=$(date +%s)
"$PY" -m PyInstaller --noconfirm --clean --log-level WARN --distpath dist --workpath build/pyinstaller \
  packaging/mms-desktop.spec
bundle=dist/mms-desktop
# Desktop integration travels inside the folder; install.sh puts it in place for the user.
cp packaging/linux/mms-desktop.desktop packaging/linux/install.sh "$bundle/"
cp resources/icons/mms-desktop.png "$bundle/mms-desktop.png"
archive="dist/mms-desktop-${version}-linux-$(uname -m).tar.gz"
tar -C dist -czf "$archive" mms-desktop
elapsed=$(( $(date +%s) - started ))
echo "built $bundle and $archive in ${elapsed} s"
echo "folder: $(du -sh "$bundle" | cut -f1), archive: $(du -sh "$archive" | cut -f1)"
echo "largest parts:"
# (awk reads to the end: head would leave sort writing into a closed pipe, which pipefail makes an error)
du -s "$bundle"/_internal/* 2>/dev/null | sort -rn | awk 'NR <= 12 {printf "  %6.1f MB  %s\n", $1/1024, $2}'
