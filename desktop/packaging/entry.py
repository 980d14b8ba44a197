"""The installed bundle's executable: the ``casebook`` command, the report child process or the
face-check child process."""
import sys


def main() -> int:
    from desktop.app.render import CHILD_ARG
    if len(sys.argv) > 1 and sys.argv[1] == CHILD_ARG:
        from desktop.app.render import child_main
        return child_main()
    from desktop.app.face_process import CHILD_ARG as FACE_CHILD_ARG
    if len(sys.argv) > 1 and sys.argv[1] == FACE_CHILD_ARG:
        from desktop.app.face_process import child_main as face_child_main
        return face_child_main()
    from desktop.cli import main as cli
    return cli()


if __name__ == "__main__":
    sys.exit(main())
