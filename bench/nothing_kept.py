"""gunicorn settings for `make bench`'s server that keeps nothing (scenarios a0, b0): before
each request its worker empties every memo of content, so each read costs what the first
read after a publish that retired everything would."""


def pre_request(worker, req):
    from core import memo

    memo.clear_content()
