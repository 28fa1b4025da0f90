"""`make bench` (run.py) and `make soak` (soak.py). A package so that their parts import
each other as bench.<module>, never shadowed by (or shadowing) a library's top-level name."""
