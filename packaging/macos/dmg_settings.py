"""dmgbuild settings for the macOS disk image: the app and an Applications link, side by side.

packaging/build.py macos runs (on a Mac, after PyInstaller made the bundle):

    dmgbuild -s packaging/macos/dmg_settings.py -D app="packaging/dist/Reading List.app" \
        "Reading List" packaging/dist/ReadingList-0.1.0.dmg

dmgbuild executes this file with ``defines`` (the -D values) among its globals.
"""

import os.path

# dmgbuild provides ``defines``; the fallback lets the file be read and checked anywhere.
defines = globals().get("defines", {})

application = defines.get("app", "packaging/dist/Reading List.app")
app_name = os.path.basename(application)
icon_file = defines.get("icon", "resources/icons/readinglist.icns")

# Compressed, read-only image; ULFO (lzfse) opens on macOS 10.11 and later, far below Qt's floor.
format = defines.get("format", "ULFO")
filesystem = "HFS+"
size = None  # computed by dmgbuild from the files

files = [application]
symlinks = {"Applications": "/Applications"}
# The volume icon is the app icon with the disk badge, like most Mac apps' images.
badge_icon = icon_file

# The Finder window the image opens in: drag the app onto Applications.
window_rect = ((200, 140), (560, 320))
default_view = "icon-view"
show_status_bar = False
show_tab_view = False
show_toolbar = False
show_pathbar = False
show_sidebar = False
icon_size = 112
text_size = 13
arrange_by = None
icon_locations = {
    app_name: (140, 150),
    "Applications": (420, 150),
}
hide_extensions = [app_name]
