"""/openapi.json describes exactly the routes the app serves, and is a valid OpenAPI 3 document."""
from chalice.test import Client
from openapi_spec_validator import validate


def test_openapi_matches_the_routes_and_validates():
    from app import app
    with Client(app) as client:
        document = client.http.get("/openapi.json").json_body
    documented = {(path, method.upper()) for path, ops in document["paths"].items() for method in ops}
    served = {(path, method) for path, methods in app.routes.items() for method in methods}
    assert documented == served
    validate(document)


def test_every_body_taking_route_documents_its_schema():
    from app import app
    with Client(app) as client:
        document = client.http.get("/openapi.json").json_body
    for path, ops in document["paths"].items():
        if "post" in ops:
            assert ops["post"]["requestBody"]["content"]["application/json"]["schema"]["type"] == "object", path
