"""The table `make bench` prints: ratios against the floor, budget-only rows, notes numbered."""

from bench.table import Row, render


def test_a_row_with_a_floor_shows_its_ratio_and_one_without_shows_a_dash():
    table = render(
        [
            Row("first request, CPU", 120.0, "ms CPU", "<= 1.25x floor", floor=100.0, note="fresh process"),
            Row("package unzipped", 28.4, "MB", "<= 30 MB"),
        ]
    ).splitlines()

    assert table[0].split()[:5] == ["measure", "portal", "floor", "ratio", "unit"]
    assert "1.20x" in table[2] and "first request, CPU [1]" in table[2]
    assert "28.4" in table[3] and " - " in table[3]
    assert table[-1] == "[1] fresh process"
