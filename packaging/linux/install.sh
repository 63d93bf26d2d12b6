#!/usr/bin/env sh
# Install MMS Desktop for the current user from the unpacked folder: commands in ~/.local/bin, a menu
# entry and its icon. Run it from inside the folder: ./install.sh   (remove with ./install.sh --remove)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
bin="$HOME/.local/bin"; apps="$HOME/.local/share/applications"; icons="$HOME/.local/share/icons/hicolor/256x256/apps"
if [ "${1:-}" = "--remove" ]; then
  rm -f "$bin/mms-desktop" "$bin/mms-desktop-gui" "$apps/mms-desktop.desktop" "$icons/mms-desktop.png"
  echo "Removed the commands and the menu entry (your data and recordings are untouched)."; exit 0
fi
mkdir -p "$bin" "$apps" "$icons"
ln -sf "$here/mms-desktop" "$bin/mms-desktop"
ln -sf "$here/mms-desktop-gui" "$bin/mms-desktop-gui"
sed "s|^Exec=mms-desktop-gui|Exec=$here/mms-desktop-gui|" "$here/mms-desktop.desktop" > "$apps/mms-desktop.desktop"
cp "$here/mms-desktop.png" "$icons/mms-desktop.png"
echo "Installed: MMS Desktop is in your applications menu; 'mms-desktop' works in a terminal (~/.local/bin)."
