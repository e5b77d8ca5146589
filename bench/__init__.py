"""Benchmarks: they measure and print, each against a floor measured in the same run. They are
never part of the test suite's pass or fail. Run them with `make bench`."""
