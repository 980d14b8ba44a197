import os

# Every GUI test runs on Qt's offscreen platform: CI has no display.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
