# Hand-written stubs for the parts of scikit-learn foldloop uses (it ships no type hints).
