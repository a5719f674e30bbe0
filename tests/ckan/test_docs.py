"""The page that documents the CKAN action API and its mapping, in both languages."""

from django.urls import reverse


def test_the_docs_page_shows_the_mapping_in_chinese(client, db):
    response = client.get(reverse("ckan:docs"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "目录条目与 CKAN 数据包的字段对应" in page
    for field in ("owner_org", "metadata_modified", "num_resources", "extras", "license_id"):
        assert f"<code>{field}</code>" in page
    assert "package_search" in page
    assert reverse("catalog:odrl-profile") in page


def test_the_docs_page_in_english(client, db):
    response = client.get(reverse("ckan:docs"), headers={"accept-language": "en"})
    assert "How a catalog entry maps onto a CKAN package" in response.content.decode()


def test_the_catalog_page_links_the_interfaces(client, db):
    assert reverse("ckan:docs").encode() in client.get(reverse("catalog:list")).content
