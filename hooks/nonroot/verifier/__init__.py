"""The verifier: proves that any image runs without root (`nonroot verify`)."""
