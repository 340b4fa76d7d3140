from pipelines.parsing import glued


def test_row_split_unique_with_row_sum():
    assert glued.splits("801000081", 7, glued.row_sum_ok) == [(80, 1, 0, 0, 0, 0, 81)]


def test_spaces_are_forced_boundaries():
    assert glued.splits("230 000023", 7, glued.row_sum_ok) == [(23, 0, 0, 0, 0, 0, 23)]
    assert glued.splits("20 0 0 0 02", 7, glued.row_sum_ok) == [(2, 0, 0, 0, 0, 0, 2)]


def test_ambiguous_row_keeps_every_split():
    # README of the real corpus: 2021 予以公开 has two splits that satisfy the row sum
    assert set(glued.splits("270020130", 7, glued.row_sum_ok)) == {
        (2, 7, 0, 0, 20, 1, 30),
        (27, 0, 0, 2, 0, 1, 30),
    }


def test_no_leading_zeros():
    assert all(str(v)[0] != "0" or v == 0 for s in glued.splits("1005", 2) for v in s)
    assert (1, 5) not in glued.splits("1005", 2)


def test_signed_change_starts_a_cell():
    found = glued.splits("2648-18538", 3)
    assert (2648, -18, 538) in found
    # the sign never lands inside a number: every split has exactly one negative cell
    assert all(sum(v < 0 for v in s) == 1 for s in found)
    assert all("".join(str(abs(v)) for v in s) == "264818538" for s in found)


def test_t4_blocks():
    assert glued.split_blocks("21317000001324019", 5, 3) == [(2, 1, 3, 1, 7, 0, 0, 0, 0, 0, 13, 2, 4, 0, 19)]
    assert glued.split_blocks("0 1 1 0 2 1 0 0 0 1 0 0 0 0 0", 5, 3) == [
        (0, 1, 1, 0, 2, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0)
    ]
