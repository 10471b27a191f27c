"""Runnable jobs that show foldloop end to end; each is a module to copy from.

- ``python -m foldloop.examples.digits``: an MLP trained on scikit-learn's digits, evaluated
  after every epoch (`foldloop.examples.digits`).
"""
