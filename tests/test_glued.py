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


def test_search_is_bounded_by_states_not_answers():
    # 60 digits into 7 numbers with a row sum: billions of cuts, no answer; the search stops at
    # its state budget and says so instead of enumerating them
    run = "439075793834701746814538401916146100330766619345145061231007"
    found = glued.splits(run, 7, total_at=6)
    assert found == [] and found.budget_hit and found.states == glued.MAX_STATES
    assert "stopped after" in glued.budget_note(run, found)


def test_document_budget_is_shared():
    budget = glued.Budget(1000)
    run = "439075793834701746814538401916146100330766619345145061231007"
    first = glued.splits(run, 7, total_at=6, budget=budget)
    assert first.budget_hit and first.states == 1000 and budget.left == 0
    # nothing is left for the next search of the same document, however easy
    later = glued.splits("801000081", 7, total_at=6, budget=budget)
    assert later == [] and later.budget_hit
    assert glued.splits("801000081", 7, total_at=6) == [(80, 1, 0, 0, 0, 0, 81)]


def test_total_at_matches_an_accept_filter():
    # the structural row sum prunes the search but keeps every split, in the same order
    for run in ("270020130", "801000081", "230 000023", "1000020001", "12 0 3 0 0 1 16"):
        assert glued.splits(run, 7, total_at=6) == glued.splits(run, 7, glued.row_sum_ok)
        assert glued.splits(run, 7, total_at=0) == glued.splits(run, 7, lambda v: 2 * v[0] == sum(v))


def test_large_plausible_row_answers_within_budget():
    # five-digit counts (a province's 自然人 column): 26 digits, one split under the row sum
    found = glued.splits("15000300050020010020019000", 7, total_at=6)
    assert found == [(15000, 3000, 500, 200, 100, 200, 19000)] and found.stopped is None


def test_t4_one_total_off_by_one():
    run = "121314155421111310551112131451"  # the last block's 总计 printed 51 for 50
    assert glued.split_blocks(run, 5, 3) == []
    near = glued.split_blocks_but_one(run, 5, 3)
    assert near[0] == (12, 13, 14, 15, 54, 21, 11, 13, 10, 55, 11, 12, 13, 14, 51)


def test_t4_signed_cell_starts_a_cell():
    assert glued.split_blocks("001-100000000000", 5, 3) == [(0, 0, 1, -1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)]
