"""Dictation for the whole desktop: a global shortcut, the words typed into the application in front, the
tray icon, the overlay that shows the words in progress, and the one running instance the command line
talks to.

The window system's parts (``x11``, ``wayland``) stand behind one small interface each (``keys``); the
rest is Qt and knows no window system.
"""
