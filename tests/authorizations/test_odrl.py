"""Usage policies in ODRL 2.2: the Agreement of each authorization in force, and the Offer on
each conditional entry's distribution in the DCAT export, parsed with rdflib into triples."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rdflib import XSD, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS

from apps.authorizations import services
from tests.authorizations.conftest import AGREEMENT, scope

ODRL = Namespace("http://www.w3.org/ns/odrl/2/")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
PORTAL = Namespace("http://testserver/policies/odrl/#")
PROFILE = URIRef("http://testserver/policies/odrl/")


@pytest.fixture
def filtered(recommended, approver):
    """An authorization with a row filter."""
    row_filter = [{"field": "district", "op": "in", "value": ["南明区", "云岩区"]}]
    return services.application_approve(
        application=recommended, actor=approver, agreement=AGREEMENT,
        scope=scope(row_filter=row_filter, daily_row_quota=5000),
    )  # fmt: skip


def _agreement(client, authorization) -> tuple[Graph, URIRef]:
    url = reverse("authorizations:disclosure-policy", args=[authorization.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/ld+json; charset=utf-8"
    return Graph().parse(data=response.content, format="json-ld"), URIRef("http://testserver" + url)


def _constraints(graph: Graph, permission) -> dict:
    found = {}
    for node in graph.objects(permission, ODRL.constraint):
        key = (graph.value(node, ODRL.leftOperand), graph.value(node, ODRL.operator))
        found[key] = node
    return found


def test_an_authorization_in_force_is_an_agreement(client, filtered, operator):
    graph, uid = _agreement(client, filtered)
    assert (uid, RDF.type, ODRL.Agreement) in graph
    assert (uid, ODRL.uid, uid) in graph
    assert (uid, ODRL.profile, PROFILE) in graph
    assigner, assignee = graph.value(uid, ODRL.assigner), graph.value(uid, ODRL.assignee)
    assert (assigner, RDF.type, ODRL.Party) in graph
    assert graph.value(assigner, RDFS.label) == Literal("市大数据管理局")
    assert graph.value(assignee, RDFS.label) == Literal(operator.name)
    assert graph.value(assignee, DCTERMS.identifier) == Literal(operator.credit_code)
    permission = graph.value(uid, ODRL.permission)
    entry = filtered.entry
    assert graph.value(permission, ODRL.target) == URIRef(
        f"http://testserver/catalog/{entry.identifier}"
    )
    assert graph.value(permission, ODRL.action) == ODRL.use
    constraints = _constraints(graph, permission)
    start = graph.value(constraints[ODRL.dateTime, ODRL.gteq], ODRL.rightOperand)
    end = graph.value(constraints[ODRL.dateTime, ODRL.lteq], ODRL.rightOperand)
    assert start.datatype == end.datatype == XSD.dateTime
    assert start.toPython() == filtered.valid_from
    assert end.toPython() == filtered.valid_until
    purpose = graph.value(constraints[ODRL.purpose, ODRL.eq], ODRL.rightOperand)
    assert str(purpose).endswith(f"/scenarios/#scenario-{filtered.scenario_id}")
    assert graph.value(purpose, RDFS.label) == Literal("学区房智能推荐")
    count = constraints[ODRL["count"], ODRL.lteq]
    assert graph.value(count, ODRL.rightOperand).toPython() == 5000
    assert graph.value(count, ODRL.unit) == PORTAL.rowsPerDay
    fields = constraints[PORTAL.grantedFields, ODRL.isAnyOf]
    assert set(graph.objects(fields, ODRL.rightOperand)) == {
        Literal("school_name"), Literal("district"),
    }  # fmt: skip
    row = constraints[PORTAL.rowValue, ODRL.isAnyOf]
    assert graph.value(row, PORTAL.field) == Literal("district")
    assert set(graph.objects(row, ODRL.rightOperand)) == {Literal("南明区"), Literal("云岩区")}
    duty = graph.value(permission, ODRL.duty)
    assert graph.value(duty, ODRL.action) == PORTAL.register


def test_the_disclosure_page_links_each_agreement(client, authorization):
    response = client.get(reverse("authorizations:disclosure"))
    assert reverse("authorizations:disclosure-policy", args=[authorization.pk]).encode() in (
        response.content
    )


def test_an_authorization_not_in_force_has_no_public_agreement(client, authorization, approver):
    services.authorization_suspend(authorization=authorization, actor=approver, reason="整改")
    url = reverse("authorizations:disclosure-policy", args=[authorization.pk])
    assert client.get(url).status_code == 404
    assert client.get(reverse("authorizations:disclosure-policy", args=[99999])).status_code == 404


def test_an_expired_authorization_has_no_public_agreement(client, authorization):
    type(authorization).objects.filter(pk=authorization.pk).update(
        valid_from=timezone.now() - timedelta(days=10), valid_until=timezone.now() - timedelta(1)
    )
    url = reverse("authorizations:disclosure-policy", args=[authorization.pk])
    assert client.get(url).status_code == 404


def test_a_conditional_entrys_distribution_offers_the_bureaus_policy(client, entry):
    response = client.get(reverse("catalog:dcat-jsonld"))
    graph = Graph().parse(data=response.content, format="json-ld")
    dataset = URIRef(f"http://testserver/catalog/{entry.identifier}")
    policies = [
        policy
        for distribution in graph.objects(dataset, DCAT.distribution)
        for policy in graph.objects(distribution, ODRL.hasPolicy)
    ]
    assert len(policies) == 1
    offer = policies[0]
    assert offer == URIRef(f"{dataset}#offer")
    assert (offer, RDF.type, ODRL.Offer) in graph
    assert (offer, ODRL.profile, PROFILE) in graph
    assert (graph.value(offer, ODRL.assigner), RDF.type, ODRL.Party) in graph
    permission = graph.value(offer, ODRL.permission)
    assert graph.value(permission, ODRL.target) == dataset
    assert graph.value(permission, ODRL.action) == ODRL.use
    constraints = _constraints(graph, permission)
    assert graph.value(constraints[ODRL.purpose, ODRL.isA], ODRL.rightOperand) == (
        PORTAL.ApprovedScenario
    )
    start = constraints[ODRL.dateTime, ODRL.gteq]
    assert graph.value(start, ODRL.rightOperandReference) == PORTAL.validFrom
    end = constraints[ODRL.dateTime, ODRL.lteq]
    assert graph.value(end, ODRL.rightOperandReference) == PORTAL.validUntil
    period = graph.value(constraints[ODRL.elapsedTime, ODRL.lteq], ODRL.rightOperand)
    assert period == Literal("P5Y", datatype=XSD.duration)
    assert graph.value(graph.value(permission, ODRL.duty), ODRL.action) == PORTAL.register


def test_the_profile_page_documents_every_term_the_policies_use(client, filtered):
    page = client.get(reverse("catalog:odrl-profile"))
    assert page.status_code == 200
    graph, _uid = _agreement(client, filtered)
    used = {term for term in graph.all_nodes() if str(term).startswith(str(PORTAL))}
    assert used
    for term in used:
        assert f'id="{str(term).removeprefix(str(PORTAL))}"'.encode() in page.content
