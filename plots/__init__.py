"""Plot scripts for the site: each module ``plots/<topic>_<name>.py`` has ``main(out_dir) -> list[Path]``."""
