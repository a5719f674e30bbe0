"""An authorization in force as an ODRL 2.2 Agreement (the profile: apps/catalog/odrl.py).

The bureau (assigner) lets the operator (assignee) use the catalog entry (target) between the
authorization's validity bounds, for its application scenario, up to its daily row quota, over
the granted fields and the rows its filter keeps, with the duty to register (26号).
"""

from django.urls import reverse
from rdflib import XSD, BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS

from apps.catalog.odrl import (
    ODRL,
    OPERATORS,
    bind,
    constraint,
    party,
    profile_iri,
    registration_duty,
)

from .models import Authorization

JSONLD_CONTEXT = {
    "odrl": str(ODRL),
    "dct": str(DCTERMS),
    "rdfs": str(RDFS),
    "xsd": str(XSD),
}


def _site_url(base_url: str, name: str, *args: object) -> URIRef:
    return URIRef(base_url.rstrip("/") + reverse(name, args=args))


def _row_filter(graph: Graph, portal: Namespace, authorization: Authorization) -> list[BNode]:
    nodes = []
    for condition in authorization.row_filter:
        values = (
            condition["value"] if isinstance(condition["value"], list) else [condition["value"]]
        )
        node = constraint(
            graph, portal.rowValue, OPERATORS[condition["op"]],
            [Literal(value) for value in values],
        )  # fmt: skip
        graph.add((node, portal.field, Literal(condition["field"])))
        nodes.append(node)
    return nodes


def agreement_graph(*, authorization: Authorization, base_url: str, publisher_name: str) -> Graph:
    """``authorization`` has its operator, entry and scenario loaded (authorizations_disclosed)."""
    graph = Graph()
    portal = bind(graph, base_url)
    uid = _site_url(base_url, "authorizations:disclosure-policy", authorization.pk)
    graph.add((uid, RDF.type, ODRL.Agreement))
    graph.add((uid, ODRL.uid, uid))
    graph.add((uid, ODRL.profile, profile_iri(base_url)))
    bureau = party(graph, BNode(), publisher_name)
    operator = party(graph, BNode(), authorization.operator.name)
    graph.add((operator, DCTERMS.identifier, Literal(authorization.operator.credit_code)))
    graph.add((uid, ODRL.assigner, bureau))
    graph.add((uid, ODRL.assignee, operator))
    target = URIRef(
        _site_url(base_url, "catalog:detail", authorization.entry.identifier).removesuffix("/")
    )
    scenario = URIRef(
        _site_url(base_url, "authorizations:scenarios") + f"#scenario-{authorization.scenario_id}"
    )
    graph.add((scenario, RDFS.label, Literal(authorization.scenario.title)))
    permission = BNode()
    graph.add((uid, ODRL.permission, permission))
    graph.add((permission, RDF.type, ODRL.Permission))
    graph.add((permission, ODRL.target, target))
    graph.add((permission, ODRL.assigner, bureau))
    graph.add((permission, ODRL.assignee, operator))
    graph.add((permission, ODRL.action, ODRL.use))
    constraints = [
        constraint(
            graph,
            ODRL.dateTime,
            ODRL.gteq,
            Literal(authorization.valid_from, datatype=XSD.dateTime),
        ),
        constraint(
            graph,
            ODRL.dateTime,
            ODRL.lteq,
            Literal(authorization.valid_until, datatype=XSD.dateTime),
        ),
        constraint(graph, ODRL.purpose, ODRL.eq, scenario),
        constraint(
            graph,
            ODRL["count"],
            ODRL.lteq,
            Literal(authorization.daily_row_quota, datatype=XSD.integer),
            unit=portal.rowsPerDay,
        ),
        constraint(
            graph,
            portal.grantedFields,
            ODRL.isAnyOf,
            [Literal(name) for name in authorization.allowed_fields],
        ),
        *_row_filter(graph, portal, authorization),
    ]
    for node in constraints:
        graph.add((permission, ODRL.constraint, node))
    graph.add((permission, ODRL.duty, registration_duty(graph, portal)))
    return graph


def agreement_jsonld(graph: Graph, base_url: str) -> str:
    context = {**JSONLD_CONTEXT, "portal": str(profile_iri(base_url)) + "#"}
    return graph.serialize(format="json-ld", context=context)
