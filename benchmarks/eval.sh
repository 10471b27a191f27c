#!/bin/sh
# Evaluation time per epoch on the digits test split: foldloop vs a plain loop vs Ignite.
# Extra arguments go to the script (e.g. --reps 80).
cd "$(dirname "$0")/.." && exec .venv/bin/python benchmarks/eval_foldloop.py "$@"
