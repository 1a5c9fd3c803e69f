#!/bin/sh
# One ltx stage as a Slurm batch job. Its arguments are the command to run (node, ltx, exec-stage and its
# arguments); they are passed on as they are, never read by a shell as text.
exec "$@"
