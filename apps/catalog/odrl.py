"""Usage policies in ODRL 2.2 (http://www.w3.org/ns/odrl/2/) and the portal's ODRL profile.

A conditional entry's distribution carries an ``odrl:Offer`` from the bureau: use, for an
approved application scenario, within an authorization's period (at most 5 years, 实施规范
27号), with the duty to register the resource in authorized operation (登记, 26号). Each
authorization in force is an ``odrl:Agreement`` (apps.authorizations.odrl builds it with the
helpers here). What core ODRL has no term for — the granted fields, the row filter, the
registration duty, rows per day — is in the portal's profile: its IRIs are
``<site>/policies/odrl/#<term>`` and resolve to the page that documents them (PROFILE_TERMS).
"""

from dataclasses import dataclass
from typing import Literal as LiteralType

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from rdflib import XSD, BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, RDFS
from rdflib.term import Node

ODRL = Namespace("http://www.w3.org/ns/odrl/2/")
MAX_PERIOD = Literal("P5Y", datatype=XSD.duration)


# What each kind of ODRL term is, as the profile page names it.
KIND_LABELS = {
    "Action": _("action"),
    "LeftOperand": _("left operand"),
    "RightOperand": _("right operand"),
    "Property": _("property"),
    "Unit": _("unit"),
}


@dataclass(frozen=True)
class ProfileTerm:
    name: str
    kind: LiteralType["Action", "LeftOperand", "RightOperand", "Property", "Unit"]
    label: Promise
    definition: Promise

    @property
    def kind_label(self) -> Promise:
        return KIND_LABELS[self.kind]


PROFILE_TERMS = [
    ProfileTerm(
        "register",
        "Action",
        _("register"),
        _(
            "Register the public data in authorized operation with the registration body, and "
            "keep the registration valid while the authorization runs."
        ),
    ),
    ProfileTerm(
        "ApprovedScenario",
        "RightOperand",
        _("approved application scenario"),
        _(
            "Any application scenario that the data bureau has approved in an authorization; "
            "the purpose of the use must be one of them."
        ),
    ),
    ProfileTerm(
        "validFrom",
        "RightOperand",
        _("start of the authorization period"),
        _("The moment the authorization starts to be valid."),
    ),
    ProfileTerm(
        "validUntil",
        "RightOperand",
        _("end of the authorization period"),
        _("The moment the authorization stops being valid: at most 5 years after it starts."),
    ),
    ProfileTerm(
        "grantedFields",
        "LeftOperand",
        _("granted fields"),
        _(
            "The fields of the catalog entry the authorization grants; with isAnyOf, the "
            "right operands are the field names, and no other field may be read."
        ),
    ),
    ProfileTerm(
        "rowValue",
        "LeftOperand",
        _("row value"),
        _(
            "The value a row holds in the field named by “field”; every row filter condition "
            "of the authorization is one such constraint, and all of them must hold."
        ),
    ),
    ProfileTerm(
        "field",
        "Property",
        _("field"),
        _("The name of the field a row value constraint reads."),
    ),
    ProfileTerm(
        "rowsPerDay",
        "Unit",
        _("rows per day"),
        _("The unit of the count constraint: rows returned in one calendar day (quota)."),
    ),
]
ODRL_CLASS = {
    "Action": ODRL.Action,
    "LeftOperand": ODRL.LeftOperand,
    "RightOperand": ODRL.RightOperand,
    "Property": RDF.Property,
    "Unit": RDFS.Resource,
}
OPERATORS = {
    "eq": ODRL.eq,
    "ne": ODRL.neq,
    "gt": ODRL.gt,
    "gte": ODRL.gteq,
    "lt": ODRL.lt,
    "lte": ODRL.lteq,
    "in": ODRL.isAnyOf,
}


def profile_iri(base_url: str) -> URIRef:
    """The profile's IRI: the page that documents it, on this site."""
    return URIRef(base_url.rstrip("/") + reverse("catalog:odrl-profile"))


def profile_namespace(base_url: str) -> Namespace:
    return Namespace(profile_iri(base_url) + "#")


def bind(graph: Graph, base_url: str) -> Namespace:
    graph.bind("odrl", ODRL)
    namespace = profile_namespace(base_url)
    graph.bind("portal", namespace)
    return namespace


def constraint(
    graph: Graph,
    left: URIRef,
    operator: URIRef,
    right: Node | list[Node] | None = None,
    *,
    reference: URIRef | None = None,
    unit: URIRef | None = None,
) -> BNode:
    node = BNode()
    graph.add((node, RDF.type, ODRL.Constraint))
    graph.add((node, ODRL.leftOperand, left))
    graph.add((node, ODRL.operator, operator))
    for value in right if isinstance(right, list) else [right] if right is not None else []:
        graph.add((node, ODRL.rightOperand, value))
    if reference is not None:
        graph.add((node, ODRL.rightOperandReference, reference))
    if unit is not None:
        graph.add((node, ODRL.unit, unit))
    return node


def party(graph: Graph, node: Node, name: str) -> Node:
    graph.add((node, RDF.type, ODRL.Party))
    graph.add((node, RDFS.label, Literal(name)))
    return node


def registration_duty(graph: Graph, portal: Namespace) -> BNode:
    duty = BNode()
    graph.add((duty, RDF.type, ODRL.Duty))
    graph.add((duty, ODRL.action, portal.register))
    return duty


def offer(graph: Graph, *, uid: URIRef, target: URIRef, assigner: Node, base_url: str) -> URIRef:
    """The bureau's standing offer on a conditional entry: what every authorization holds."""
    portal = bind(graph, base_url)
    graph.add((uid, RDF.type, ODRL.Offer))
    # DCAT-AP's shapes ask for an odrl:Policy and do not infer it from odrl:Offer.
    graph.add((uid, RDF.type, ODRL.Policy))
    graph.add((uid, ODRL.uid, uid))
    graph.add((uid, ODRL.profile, profile_iri(base_url)))
    graph.add((uid, ODRL.assigner, assigner))
    permission = BNode()
    graph.add((uid, ODRL.permission, permission))
    graph.add((permission, RDF.type, ODRL.Permission))
    graph.add((permission, ODRL.target, target))
    graph.add((permission, ODRL.assigner, assigner))
    graph.add((permission, ODRL.action, ODRL.use))
    for node in (
        constraint(graph, ODRL.purpose, ODRL.isA, portal.ApprovedScenario),
        constraint(graph, ODRL.dateTime, ODRL.gteq, reference=portal.validFrom),
        constraint(graph, ODRL.dateTime, ODRL.lteq, reference=portal.validUntil),
        constraint(graph, ODRL.elapsedTime, ODRL.lteq, MAX_PERIOD),
    ):
        graph.add((permission, ODRL.constraint, node))
    graph.add((permission, ODRL.duty, registration_duty(graph, portal)))
    return uid
