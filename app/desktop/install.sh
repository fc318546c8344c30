#!/bin/sh
# Puts Fondly in your applications menu, for you alone: no administrator password, nothing outside
# your home folder.
#   the program   -> ~/.local/opt/fondly        (replaced by the next install; FONDLY_PREFIX=DIR to choose)
#   the command   -> ~/.local/bin/fondly        (a link to it)
#   the menu      -> ~/.local/share/applications/fondly.desktop, and its icon
# ./install.sh --uninstall takes those away again. Neither touches your memories and drafts, which
# live in your data folder (~/.local/share/Fondly; `fondly doctor` shows where).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
data=${XDG_DATA_HOME:-$HOME/.local/share}
prefix=${FONDLY_PREFIX:-$HOME/.local/opt/fondly}
bin=$HOME/.local/bin
entry=$data/applications/fondly.desktop
icon=$data/icons/hicolor/scalable/apps/fondly.svg

refresh_menu() {
    if command -v update-desktop-database >/dev/null 2>&1; then
        update-desktop-database -q "$data/applications" || true
    fi
}

if [ "${1:-}" = "--uninstall" ]; then
    rm -f "$entry" "$icon"
    if [ -L "$bin/fondly" ]; then rm -f "$bin/fondly"; fi
    rm -rf "$prefix"
    refresh_menu
    echo "Removed Fondly from the menu and $prefix. Your data folder is untouched."
    exit 0
fi
if [ ! -x "$here/fondly" ] || [ ! -d "$here/_internal" ]; then
    echo "install.sh: run it from the unpacked Fondly folder (the one holding ./fondly)." >&2
    exit 1
fi

# The program: copied whole beside the old one, then swapped in, so a failed copy leaves the
# old install working.
if [ "$here" != "$prefix" ]; then
    mkdir -p "$(dirname "$prefix")"
    rm -rf "$prefix.new"
    cp -a "$here" "$prefix.new"
    rm -rf "$prefix.old"
    if [ -e "$prefix" ]; then mv "$prefix" "$prefix.old"; fi
    mv "$prefix.new" "$prefix"
    rm -rf "$prefix.old"
fi

mkdir -p "$bin" "$data/applications" "$(dirname "$icon")"
ln -sfn "$prefix/fondly" "$bin/fondly"
cp "$prefix/_internal/app/desktop/fondly.svg" "$icon"
sed -e "s|^Exec=.*|Exec=\"$prefix/fondly\"|" -e "s|^TryExec=.*|TryExec=$prefix/fondly|" \
    -e "/^# /d" "$prefix/_internal/app/desktop/fondly.desktop" > "$entry"
refresh_menu
echo "Installed Fondly $("$prefix/fondly" --version | sed 's/^Fondly //') in $prefix."
echo "It is in your applications menu (Office), and \`fondly\` runs it from a terminal"
case ":$PATH:" in *":$bin:"*) ;; *) echo "once $bin is on your PATH";; esac
