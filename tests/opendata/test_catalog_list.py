"""The catalog filtered to entries with downloadable data, and the formats on result cards."""

from django.urls import reverse

from tests.opendata.conftest import load_rows_open, open_rows


def listing(client, **parameters):
    return client.get(reverse("catalog:list"), parameters)


def test_it_filters_to_entries_with_downloadable_data(
    client, loaded_open, open_entry_without_data, conditional_entry, closed_entry
):
    html = listing(client, downloadable="true").content.decode()
    assert loaded_open.title in html
    for other in (open_entry_without_data, conditional_entry, closed_entry):
        assert other.title not in html
    everything = listing(client).content.decode()
    assert all(e.title in everything for e in (loaded_open, conditional_entry, closed_entry))


def test_result_cards_show_the_download_formats(client, loaded_open, conditional_entry):
    response = listing(client)
    cards = dict((entry.identifier, formats) for entry, formats in response.context["cards"])
    assert cards[loaded_open.identifier] == ["CSV", "XLSX", "JSON Lines"]
    assert cards[conditional_entry.identifier] == []
    assert '<span class="badge">JSON Lines</span>' in response.content.decode()


def test_the_public_catalog_api_takes_the_filter_too(client, loaded_open, conditional_entry):
    results = client.get(reverse("api-catalog-list"), {"downloadable": "true"}).json()["results"]
    assert [item["identifier"] for item in results] == [loaded_open.identifier]


def test_the_list_reads_formats_in_one_query(
    client, loaded_open, conditional_entry, django_assert_max_num_queries
):
    with django_assert_max_num_queries(8):
        listing(client)


def test_data_going_live_shows_in_the_cached_catalog_page_at_once(client, open_entry, tmp_path):
    assert open_entry.title not in listing(client, downloadable="true").content.decode()

    load_rows_open(open_entry, open_rows(), tmp_path)

    response = listing(client, downloadable="true")
    assert open_entry.title in response.content.decode()
    assert response.context["page_obj"].paginator.count == 1
