from collab.lib.pagination import page_of


def test_page_of_gives_the_total_the_page_and_its_items_mapped() -> None:
    result = page_of(list(range(1, 8)), page=2, page_size=3, item=lambda n: n * 10)
    assert result == {"count": 7, "page": 2, "pages": 3, "items": [40, 50, 60]}


def test_a_page_past_the_end_is_the_last_page() -> None:
    result = page_of(list(range(5)), page=99, page_size=2, item=str)
    assert result == {"count": 5, "page": 3, "pages": 3, "items": ["4"]}


def test_an_empty_list_is_one_empty_page() -> None:
    assert page_of([], page=1, page_size=25, item=str) == {"count": 0, "page": 1, "pages": 1, "items": []}
