"""A WSGI app answering its worker's process id, for the balanced-worker test."""

import os
import time


def app(environ, start_response):
    time.sleep(0.002)  # a little work, so connections overlap as in a surge
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(str(os.getpid()))))])
    return [str(os.getpid()).encode()]
